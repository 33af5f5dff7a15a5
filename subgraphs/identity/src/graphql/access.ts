import { ForbiddenError } from '@sportello/platform';
import { decideCitizenAccess, type CitizenFieldGroup } from '../domain/citizen-access.js';
import type { IdentityContext } from '../context.js';

/**
 * Lets the read through or throws FORBIDDEN with the policy's reason; staff reads are noted for
 * the audit log.
 *
 * @throws {ForbiddenError}
 */
export function authoriseCitizenRead(ctx: IdentityContext, subject: string, group: CitizenFieldGroup): void {
  const decision = decideCitizenAccess(ctx.principal, subject, group);
  if (!decision.allowed)
    throw new ForbiddenError(`Not allowed to read this citizen's ${group} data: ${decision.reason}`);
  if (decision.audit) ctx.audit?.note(subject, group);
}
