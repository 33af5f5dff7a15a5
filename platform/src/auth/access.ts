import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors/client-errors.js';
import {
  type AnonymousPrincipal,
  type Office,
  type Principal,
  type Scope,
  type StaffPrincipal,
  type WriteScope,
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
 * Lets a change in a citizen's name through unless an app's token lacks the write scope `scope`:
 * apps write only what the citizen granted them for it, whatever they may read. Citizens signed in
 * themselves (the comune's own apps included), staff and services are not concerned: what they may
 * change is the operation's own rule.
 *
 * @throws {ForbiddenError} (reason `SCOPE_REQUIRED`, `extensions.scope` = `scope`) for an app token
 * without `scope`.
 */
export function requireAppScope(principal: Principal, scope: WriteScope): void {
  if (principal.kind === 'client' && !principal.scopes.includes(scope)) throw scopeRequired(scope);
}

/**
 * What an app's token needs for each `Mutation` field of a subgraph, by field name: the write scope
 * for a change an app may make in a citizen's name, or `null` for a field no app acting for a
 * citizen calls (staff, Sportello services, the citizen signed in themselves), whose resolver
 * refuses apps on its own. Every field is listed, so a new mutation is classified when it is added.
 */
export type MutationScopes = Readonly<Record<string, WriteScope | null>>;

/** Programmer error: a `Mutation` field of a subgraph has no line in its {@link MutationScopes}. */
export class UnclassifiedMutationError extends Error {
  override readonly name = 'UnclassifiedMutationError';
  constructor(readonly fields: readonly string[]) {
    super(
      `Mutation ${fields.join(', ')} not listed in the subgraph's mutation scopes: give each the write ` +
        'scope an app needs to call it for a citizen, or null when no app acting for a citizen calls it',
    );
  }
}

/**
 * Checks the write scope of app tokens before each listed mutation runs: an app without it gets
 * FORBIDDEN (reason `SCOPE_REQUIRED`, the scope in `extensions.scope`) and nothing is changed. The
 * resolvers are wrapped in place; `schema` is returned for chaining.
 *
 * @throws {UnclassifiedMutationError} when a `Mutation` field is not in `scopes`.
 */
export function requireMutationScopes(schema: GraphQLSchema, scopes: MutationScopes): GraphQLSchema {
  const fields = schema.getMutationType()?.getFields() ?? {};
  const unlisted = Object.keys(fields).filter((name) => !Object.hasOwn(scopes, name));
  if (unlisted.length > 0) throw new UnclassifiedMutationError(unlisted);
  for (const [name, field] of Object.entries(fields)) {
    const scope = scopes[name];
    if (scope == null) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: { principal: Principal }, info) => {
      requireAppScope(context.principal, scope);
      return resolve(source, args, context, info);
    };
  }
  return schema;
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
