import type { Office, Principal, Scope } from '@sportello/platform';

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
 * What each office may read. Kept minimal: the anagrafe office keeps the population register and
 * helps citizens with their accounts, admins run the service; no other office needs a citizen's
 * account data (their own subgraphs hold what they work on).
 */
const STAFF_READS: Record<Office, readonly CitizenFieldGroup[]> = {
  anagrafe: ['profile', 'contacts', 'delegations'],
  admin: ['profile', 'contacts', 'preferences', 'delegations'],
  tributi: [],
  practices: [],
  suap: [],
  'civil-protection': [],
};

/** Internal services and what they read: the notifier needs where and how to deliver, nothing else. */
const SERVICE_READS: Record<string, readonly CitizenFieldGroup[]> = {
  notifier: ['contacts', 'preferences'],
};

/** The scope a third-party app needs, on a citizen's grant, for each group. */
const SCOPE_FOR: Record<CitizenFieldGroup, Scope> = {
  profile: 'profile',
  contacts: 'profile',
  preferences: 'notifications',
  delegations: 'profile',
};

/** The outcome of an access check; `audit` marks reads that must be written to the audit log. */
export type AccessDecision = { allowed: true; audit: boolean } | { allowed: false; reason: string };

/**
 * Decides whether `principal` may read the `group` fields of the citizen `subject` (a fiscal code).
 * Reasons never repeat the subject, so they can be shown to the caller and logged.
 */
export function decideCitizenAccess(
  principal: Principal,
  subject: string,
  group: CitizenFieldGroup,
): AccessDecision {
  switch (principal.kind) {
    case 'anonymous':
      return { allowed: false, reason: 'sign in to read personal data' };
    case 'citizen':
      return principal.fiscalCode === subject || principal.actsFor.includes(subject)
        ? { allowed: true, audit: false }
        : {
            allowed: false,
            reason: 'a citizen reads only their own data and that of the people they act for',
          };
    case 'client': {
      if (principal.onBehalfOf === undefined) {
        return { allowed: false, reason: 'a client-credentials token reaches public data only' };
      }
      const { fiscalCode, actsFor } = principal.onBehalfOf;
      if (fiscalCode !== subject && !actsFor.includes(subject)) {
        return {
          allowed: false,
          reason: 'the citizen who granted this token is not this person, nor acts for them',
        };
      }
      const needed = SCOPE_FOR[group];
      return principal.scopes.includes(needed)
        ? { allowed: true, audit: false }
        : { allowed: false, reason: `this token lacks the "${needed}" scope` };
    }
    case 'staff':
      return principal.offices.some((office) => STAFF_READS[office].includes(group))
        ? { allowed: true, audit: true }
        : { allowed: false, reason: `no office of this staff member may read citizens' ${group} data` };
    case 'service':
      return (SERVICE_READS[principal.service] ?? []).includes(group)
        ? { allowed: true, audit: false }
        : { allowed: false, reason: `service ${principal.service} may not read citizens' ${group} data` };
  }
}

/** Whether a principal may list citizens' records for delivery in batches (the notifier). */
export function canReadInBatches(principal: Principal): boolean {
  return principal.kind === 'service' && principal.service in SERVICE_READS;
}

/** Whether a principal manages API clients and reads the audit log. */
export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'staff' && principal.offices.includes('admin');
}
