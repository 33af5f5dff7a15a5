import { ForbiddenError, UnauthenticatedError } from '../errors/client-errors.js';
import {
  type AnonymousPrincipal,
  type Office,
  type Principal,
  type Scope,
  type StaffPrincipal,
} from './principal.js';

/** What a field holding personal data accepts besides the owner (and those acting for them). */
export interface PersonalDataRule {
  /** The scope a third-party app needs, on top of the citizen's grant. Without it no app reads the field. */
  scope?: Scope;
  /** The offices whose staff may read the field. `admin` reads only when listed. */
  office?: Office | readonly Office[];
  /** Sportello services allowed to read the field (e.g. `notifier` for contact points). */
  service?: string | readonly string[];
}

const listOf = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

const normalise = (fiscalCode: string) => fiscalCode.trim().toUpperCase();

function ownsOrActsFor(person: { fiscalCode: string; actsFor: readonly string[] }, owner: string): boolean {
  return normalise(person.fiscalCode) === owner || person.actsFor.some((code) => normalise(code) === owner);
}

/**
 * Whether `principal` may read personal data of the person with `ownerFiscalCode`:
 *
 * | principal | may read when |
 * |---|---|
 * | anonymous | never |
 * | citizen | they are the owner, or act for the owner |
 * | client with `onBehalfOf` | that citizen is (or acts for) the owner, and the token has `rule.scope` |
 * | client without `onBehalfOf` (client credentials) | never |
 * | staff | they belong to one of `rule.office` |
 * | service | it is listed in `rule.service` |
 */
export function canReadPersonalData(
  principal: Principal,
  ownerFiscalCode: string,
  rule: PersonalDataRule = {},
): boolean {
  const owner = normalise(ownerFiscalCode);
  switch (principal.kind) {
    case 'anonymous':
      return false;
    case 'citizen':
      return ownsOrActsFor(principal, owner);
    case 'client':
      return (
        principal.onBehalfOf !== undefined &&
        rule.scope !== undefined &&
        principal.scopes.includes(rule.scope) &&
        ownsOrActsFor(principal.onBehalfOf, owner)
      );
    case 'staff': {
      const offices = listOf(rule.office);
      return principal.offices.some((office) => offices.includes(office));
    }
    case 'service':
      return listOf(rule.service).includes(principal.service);
  }
}

/**
 * Throws unless {@link canReadPersonalData}.
 *
 * @throws {UnauthenticatedError} (reason `AUTHENTICATION_REQUIRED`) for an anonymous caller, who
 * can fix it by signing in.
 * @throws {ForbiddenError} (reason `NOT_ALLOWED`) for anyone else; the message does not reveal
 * whether the person exists.
 */
export function assertCanRead(
  principal: Principal,
  ownerFiscalCode: string,
  rule: PersonalDataRule = {},
): void {
  if (canReadPersonalData(principal, ownerFiscalCode, rule)) return;
  requireAuthenticated(principal);
  // What the caller lacks is named when naming it reveals nothing about the person.
  if (
    principal.kind === 'client' &&
    rule.scope !== undefined &&
    principal.onBehalfOf !== undefined &&
    ownsOrActsFor(principal.onBehalfOf, normalise(ownerFiscalCode))
  ) {
    throw scopeRequired(rule.scope);
  }
  if (principal.kind === 'staff' && rule.office !== undefined) {
    const offices = listOf(rule.office);
    throw new ForbiddenError(`Only staff of ${offices.join(' or ')} can read this personal data.`, {
      reason: 'OFFICE_REQUIRED',
      offices,
    });
  }
  throw new ForbiddenError('You are not allowed to read this personal data.', { reason: 'NOT_ALLOWED' });
}

/**
 * An app acting on a citizen's grant lacks `scope`: FORBIDDEN with reason `SCOPE_REQUIRED` and the
 * scope in `extensions.scope`, so the app knows what to ask the citizen for.
 */
export function scopeRequired(scope: Scope): ForbiddenError {
  return new ForbiddenError(`This app's token lacks the "${scope}" scope: ask the citizen to grant it.`, {
    reason: 'SCOPE_REQUIRED',
    scope,
  });
}

/**
 * Narrows to a signed-in principal.
 *
 * @throws {UnauthenticatedError} (reason `AUTHENTICATION_REQUIRED`) for an anonymous caller.
 */
export function requireAuthenticated<P extends Principal>(
  principal: P,
): asserts principal is Exclude<P, AnonymousPrincipal> {
  if (principal.kind === 'anonymous') {
    throw new UnauthenticatedError('Sign in to do this: send a bearer access token.', {
      reason: 'AUTHENTICATION_REQUIRED',
    });
  }
}

/**
 * Narrows to a staff member of one of `offices` (an empty list accepts any office).
 *
 * @throws {UnauthenticatedError} for an anonymous caller.
 * @throws {ForbiddenError} (reason `OFFICE_REQUIRED`) for anyone else.
 */
export function requireStaff(principal: Principal, offices: Office | readonly Office[] = []): StaffPrincipal {
  requireAuthenticated(principal);
  const wanted = listOf(offices);
  if (
    principal.kind === 'staff' &&
    (wanted.length === 0 || principal.offices.some((office) => wanted.includes(office)))
  ) {
    return principal;
  }
  const which = wanted.length === 0 ? 'staff' : `staff of ${wanted.join(' or ')}`;
  throw new ForbiddenError(`Only ${which} can do this.`, {
    reason: 'OFFICE_REQUIRED',
    ...(wanted.length === 0 ? {} : { offices: wanted }),
  });
}
