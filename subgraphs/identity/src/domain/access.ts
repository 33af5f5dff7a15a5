import {
  assertCanRead,
  canReadPersonalData,
  type PersonalDataRule,
  type Principal,
} from '@sportello/platform';
import type { IdentityContext } from '../context.js';

/**
 * Groups of a citizen's personal fields, each authorised as a whole:
 * - `profile`: given and family name;
 * - `contacts`: email (and whether it is verified), Telegram and App IO status, preferred language;
 * - `preferences`: notification preferences per category and channel;
 * - `delegations`: who the citizen acts for and who acts for them.
 */
export const CITIZEN_FIELD_GROUPS = ['profile', 'contacts', 'preferences', 'delegations'] as const;
export type CitizenFieldGroup = (typeof CITIZEN_FIELD_GROUPS)[number];

/**
 * Who reads each group besides the citizen and those acting for them. Kept minimal: the anagrafe
 * office keeps the population register and helps citizens with their accounts, admins run the
 * service, no other office needs account data (their own subgraphs hold what they work on). The
 * notifier reads where and how to deliver, nothing else. Apps need the citizen's grant with the
 * scope named here.
 */
export const CITIZEN_FIELD_RULES: Record<CitizenFieldGroup, PersonalDataRule> = {
  profile: { scope: 'profile', office: ['anagrafe', 'admin'] },
  contacts: { scope: 'profile', office: ['anagrafe', 'admin'], service: 'notifier' },
  preferences: { scope: 'notifications', office: 'admin', service: 'notifier' },
  delegations: { scope: 'profile', office: ['anagrafe', 'admin'] },
};

/** Whether `principal` may read the `group` fields of the citizen `subject` (a fiscal code). */
export function canReadCitizen(principal: Principal, subject: string, group: CitizenFieldGroup): boolean {
  return canReadPersonalData(principal, subject, CITIZEN_FIELD_RULES[group]);
}

/**
 * Whether `principal` may look up the citizen `subject` although no identity field of theirs is
 * readable: staff (other offices read the fields their own subgraphs add to Citizen, such as
 * tributi's payment positions) and apps acting on the person's grant whatever its scopes (a grant
 * with `tributi` only reaches the positions). Each field stays authorised where it is served.
 */
export function canLookUpCitizen(principal: Principal, subject: string): boolean {
  if (principal.kind === 'staff') return true;
  return (
    principal.kind === 'client' &&
    principal.scopes.some((scope) => canReadPersonalData(principal, subject, { scope }))
  );
}

/** Whether a principal may list citizens' records for delivery in batches (the notifier). */
export function canReadInBatches(principal: Principal): boolean {
  return principal.kind === 'service' && principal.service === 'notifier';
}

/**
 * Lets the read through or throws (UNAUTHENTICATED for anonymous callers, FORBIDDEN otherwise,
 * without revealing whether the citizen exists); staff reads are noted for the audit log.
 */
export function authoriseCitizenRead(ctx: IdentityContext, subject: string, group: CitizenFieldGroup): void {
  assertCanRead(ctx.principal, subject, CITIZEN_FIELD_RULES[group]);
  ctx.auditTrail?.note(subject, group);
}
