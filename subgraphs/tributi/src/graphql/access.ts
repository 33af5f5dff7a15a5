import { assertCanRead, auditPersonalDataRead, type PersonalDataRule } from '@sportello/platform';
import type { TributiContext } from '../context.js';
import { TRIBUTI_OFFICE } from '../domain/vocabulary.js';

/**
 * Who reads a payer's positions besides the payer (and those acting for them): tributi staff, and
 * apps the payer granted the `tributi` scope. No service reads them: events carry what the
 * notifier needs.
 */
export const PAYMENT_POSITION_RULE: PersonalDataRule = { scope: 'tributi', office: TRIBUTI_OFFICE };

/**
 * Lets the read of `payer`'s positions through or throws (UNAUTHENTICATED for anonymous callers,
 * FORBIDDEN otherwise, without revealing whether anything exists); staff reads are audited before
 * the data is returned.
 */
export async function authorisePaymentRead(
  ctx: TributiContext,
  payer: string,
  resource: string,
): Promise<void> {
  assertCanRead(ctx.principal, payer, PAYMENT_POSITION_RULE);
  await auditPersonalDataRead(ctx, payer, { action: 'read', resource });
}
