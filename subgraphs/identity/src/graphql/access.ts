import { assertCanRead } from '@sportello/platform';
import { CITIZEN_FIELD_RULES, type CitizenFieldGroup } from '../domain/citizen-access.js';
import type { IdentityContext } from '../context.js';

/**
 * Lets the read through or throws (UNAUTHENTICATED for anonymous callers, FORBIDDEN otherwise,
 * without revealing whether the citizen exists); staff reads are noted for the audit log.
 */
export function authoriseCitizenRead(ctx: IdentityContext, subject: string, group: CitizenFieldGroup): void {
  assertCanRead(ctx.principal, subject, CITIZEN_FIELD_RULES[group]);
  ctx.auditTrail?.note(subject, group);
}
