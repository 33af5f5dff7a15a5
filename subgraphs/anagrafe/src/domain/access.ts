import {
  assertCanRead,
  auditPersonalDataRead,
  canReadPersonalData,
  ForbiddenError,
  scopeRequired,
  type PersonalDataRule,
  type Principal,
  ageOn,
  type IsoDate,
} from '@sportello/platform';
import type { AnagrafeContext } from '../context.js';
import type { Resident } from '../entities/resident.entity.js';

/** Groups of a resident's personal data, each with who may read it besides the person. */
export const RECORD_RULES = {
  residence: { office: 'anagrafe', scope: 'anagrafe' },
  /** Identity too: a parent's delegation for a child is checked against the family. */
  family: { office: 'anagrafe', scope: 'anagrafe', service: 'identity' },
  documents: { office: 'anagrafe', scope: 'anagrafe' },
  certificates: { office: 'anagrafe', scope: 'anagrafe' },
  residenceChanges: { office: 'anagrafe', scope: 'anagrafe' },
  /** Fiscal code and zone only: who must hear of an alert or an ordinance. */
  zone: { office: ['anagrafe', 'civil-protection'], service: 'notifier' },
} as const satisfies Record<string, PersonalDataRule>;
export type RecordGroup = keyof typeof RECORD_RULES;

/**
 * The citizen a principal speaks for, or why not: an app on a citizen's grant without the
 * `anagrafe` scope is told the scope it lacks; anyone else gets `refusal` (CITIZEN_REQUIRED).
 */
export function requireCitizenOf(principal: Principal, refusal: string): string {
  const citizen = citizenOf(principal);
  if (citizen !== null) return citizen;
  if (principal.kind === 'client' && principal.onBehalfOf !== undefined) throw scopeRequired('anagrafe');
  throw new ForbiddenError(refusal, { reason: 'CITIZEN_REQUIRED' });
}

/** The citizen a principal speaks for (a citizen, or an app on a citizen's grant with `anagrafe`). */
export function citizenOf(principal: Principal): string | null {
  if (principal.kind === 'citizen') return principal.fiscalCode;
  if (
    principal.kind === 'client' &&
    principal.onBehalfOf !== undefined &&
    principal.scopes.includes('anagrafe')
  ) {
    return principal.onBehalfOf.fiscalCode;
  }
  return null;
}

/**
 * Whether `guardian` is a parent of `child` by the registry: the child is a minor recorded as a
 * child in the family where the guardian is the head or the spouse.
 */
export function isParentOfMinor(guardian: Resident, child: Resident, today: IsoDate): boolean {
  return (
    guardian.familyCode === child.familyCode &&
    (guardian.relationship === 'head' || guardian.relationship === 'spouse') &&
    child.relationship === 'child' &&
    ageOn(child.birthDate, today) < 18
  );
}

/** Whether the caller may act for `subject` as a family member (parent of a minor) in the registry. */
async function actsAsParent(ctx: AnagrafeContext, subject: string): Promise<boolean> {
  const self = citizenOf(ctx.principal);
  if (self === null || self === subject) return false;
  const [guardian, child] = await Promise.all([ctx.residents.load(self), ctx.residents.load(subject)]);
  return guardian !== null && child !== null && isParentOfMinor(guardian, child, ctx.today);
}

/** Whether the caller may read `group` of `subject`'s data (no audit, no error). */
export async function mayRead(ctx: AnagrafeContext, subject: string, group: RecordGroup): Promise<boolean> {
  return (
    canReadPersonalData(ctx.principal, subject, RECORD_RULES[group]) ||
    (group !== 'zone' && (await actsAsParent(ctx, subject)))
  );
}

/**
 * Lets a read of `group` of `subject`'s data through, or throws: the person, whoever acts for
 * them (delegations carried by the token, or a parent of a minor by the registry), an app with the
 * `anagrafe` scope on their grant, staff of the offices listed in {@link RECORD_RULES}. Staff reads
 * are audited before the data is returned.
 *
 * @throws UnauthenticatedError for anonymous callers, ForbiddenError for anyone else (without
 * revealing whether the person is resident).
 */
export async function authorizeRecordRead(
  ctx: AnagrafeContext,
  subject: string,
  group: RecordGroup,
  resource: string,
): Promise<void> {
  const rule = RECORD_RULES[group];
  if (!(await mayRead(ctx, subject, group))) assertCanRead(ctx.principal, subject, rule);
  await auditPersonalDataRead(ctx, subject, { action: 'read', resource });
}
