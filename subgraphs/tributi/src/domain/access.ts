import {
  assertCanRead,
  auditPersonalDataRead,
  requireStaff,
  type PersonalDataRule,
  type Principal,
} from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import type { PaymentProviders, TributiContext } from '../context.js';
import { TRIBUTI_OFFICE } from './vocabulary.js';

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

/**
 * Lets tributi staff through and returns the actor to record on events.
 * @throws UnauthenticatedError for anonymous callers, ForbiddenError for anyone else
 */
export function requireTributiStaff(ctx: TributiContext): Actor {
  const staff = requireStaff(ctx.principal, TRIBUTI_OFFICE);
  return { kind: 'staff', id: staff.username };
}

/** The provider a receipt comes from (`service:pagopa`, `client:<id>`), or `null` if the caller is none. */
export function paymentProviderOf(principal: Principal, providers: PaymentProviders): string | null {
  if (principal.kind === 'service' && providers.services.includes(principal.service)) {
    return `service:${principal.service}`;
  }
  if (
    principal.kind === 'client' &&
    principal.onBehalfOf === undefined &&
    providers.clients.includes(principal.clientId)
  ) {
    return `client:${principal.clientId}`;
  }
  return null;
}
