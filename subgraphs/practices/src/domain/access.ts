import {
  canReadPersonalData,
  ForbiddenError,
  requireAuthenticated,
  scopeRequired,
  type EntityManager,
  type Office,
  type PersonalDataRule,
  type Principal,
  type Scope,
} from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { CitizenAliasEntity } from '../entities/practice.entity.js';

/** The scope a third-party app needs to reach a citizen's practices, appointments and reports. */
export const PRACTICES_SCOPE: Scope = 'practices';

/** A citizen acting in person or through an app they granted the `practices` scope. */
export interface CitizenCaller {
  fiscalCode: string;
  /** The people this citizen may act for (minor children, delegating adults). */
  actsFor: readonly string[];
}

/**
 * The citizen behind a request.
 * @throws UnauthenticatedError for anonymous callers
 * @throws ForbiddenError for staff, services, apps without a citizen's grant or the `practices` scope
 */
export function requireCitizen(principal: Principal): CitizenCaller {
  requireAuthenticated(principal);
  if (principal.kind === 'citizen') return { fiscalCode: principal.fiscalCode, actsFor: principal.actsFor };
  if (principal.kind === 'client' && principal.onBehalfOf !== undefined) {
    if (!principal.scopes.includes(PRACTICES_SCOPE)) throw scopeRequired(PRACTICES_SCOPE);
    return principal.onBehalfOf;
  }
  throw new ForbiddenError('Only a citizen (or an app acting on a citizen’s grant) can do this', {
    reason: 'CITIZEN_REQUIRED',
  });
}

/** The people whose practices a citizen sees: themselves and those they act for. */
export function peopleOf(caller: CitizenCaller): string[] {
  return [...new Set([caller.fiscalCode, ...caller.actsFor].map((code) => code.toUpperCase()))];
}

/** Whether the citizen filed the practice or is (or acts for) the person it is for. */
export function citizenConcerned(
  caller: CitizenCaller,
  owner: { applicantFiscalCode: string; onBehalfOfFiscalCode?: string | null },
): boolean {
  const people = peopleOf(caller);
  return (
    people.includes(owner.applicantFiscalCode) ||
    (owner.onBehalfOfFiscalCode != null && people.includes(owner.onBehalfOfFiscalCode))
  );
}

/**
 * Whether `principal` may see a practice: its applicant, the person it is for (or anyone acting for
 * either, apps with the `practices` scope included), and staff of the practice's office.
 */
export function canSeePractice(
  principal: Principal,
  practice: { office: string; applicantFiscalCode: string; onBehalfOfFiscalCode?: string | null },
): boolean {
  const rule: PersonalDataRule = { scope: PRACTICES_SCOPE, office: practice.office as Office };
  return (
    canReadPersonalData(principal, practice.applicantFiscalCode, rule) ||
    (practice.onBehalfOfFiscalCode != null &&
      canReadPersonalData(principal, practice.onBehalfOfFiscalCode, rule))
  );
}

/** Aliases known per database (its driver), by comune and fiscal code; the oldest go first. */
const knownAliases = new WeakMap<object, Map<string, string>>();
const MAX_KNOWN_ALIASES = 10_000;

/**
 * The public pseudonym of a citizen in this comune, created on first use. Timelines and events
 * carry it instead of the fiscal code.
 */
export async function citizenAlias(em: EntityManager, comune: string, fiscalCode: string): Promise<string> {
  const code = fiscalCode.toUpperCase();
  // An alias never changes once made: known ones are not read again (per database).
  const known = knownAliases.get(em.getDriver()) ?? new Map<string, string>();
  knownAliases.set(em.getDriver(), known);
  const key = `${comune}|${code}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const remember = (id: string) => {
    // A row made or read inside a transaction may still go with its rollback.
    if (em.isInTransaction()) return id;
    if (known.size >= MAX_KNOWN_ALIASES) known.delete(known.keys().next().value!);
    known.set(key, id);
    return id;
  };
  const existing = await em.findOne(CitizenAliasEntity, { fiscalCode: code });
  if (existing !== null) return remember(existing.id);
  // Upsert: two first requests of the same citizen at once end with one alias.
  await em.upsert(
    CitizenAliasEntity,
    { comune, fiscalCode: code },
    { onConflictFields: ['comune', 'fiscalCode'], onConflictAction: 'ignore' },
  );
  const alias = await em.findOneOrFail(CitizenAliasEntity, { fiscalCode: code }, { refresh: true });
  return remember(alias.id);
}

/** The event/timeline actor of a citizen caller. */
export async function citizenActor(em: EntityManager, comune: string, caller: CitizenCaller): Promise<Actor> {
  return { kind: 'citizen', id: await citizenAlias(em, comune, caller.fiscalCode) };
}
