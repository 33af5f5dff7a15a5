import type { EntityManager, Logger } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { signOutEverywhere } from '../domain/accounts.js';
import { ConsentGrantEntity, type ApiClient } from '../entities/api-client.entity.js';
import type { AuthorizationCode } from '../entities/authorization.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';

/**
 * A code presented again after it was redeemed: it may have been stolen, so what its first
 * redemption issued stops working (RFC 6749 4.1.2), through the usual revocation path (state that
 * `/internal/revocations` lists, and `access.revoked` for every verifier at once):
 * - an app acting for a citizen loses the citizen's grant (`grant-revoked`): its tokens for that
 *   citizen end, and it has to ask for consent again;
 * - a first-party app's citizen is signed out everywhere (`signed-out`).
 * A staff code has no revocation short of disabling the member: its reuse is only refused and
 * logged.
 */
export async function revokeTokensOfReusedCode(
  em: EntityManager,
  code: AuthorizationCode,
  client: ApiClient,
  logger: Logger,
  now = new Date(),
): Promise<void> {
  const actor: Actor = { kind: 'client', id: client.clientId };
  if (code.staffUsername != null || code.fiscalCode == null) {
    logger.warn(
      { comune: code.comune, clientId: client.clientId },
      'staff authorization code presented again',
    );
    return;
  }
  logger.warn(
    { comune: code.comune, clientId: client.clientId },
    'authorization code presented again: the tokens it gave are revoked',
  );
  if (client.firstParty) {
    await signOutEverywhere(em, code.fiscalCode, actor, now);
    return;
  }
  const grant = await em.findOne(ConsentGrantEntity, {
    fiscalCode: code.fiscalCode,
    clientId: client.clientId,
    revokedAt: null,
  });
  if (grant !== null) grant.revokedAt = now;
  recordAccessRevoked(
    em,
    code.comune,
    {
      reason: 'grant-revoked',
      revokedAt: now.toISOString(),
      clientId: client.clientId,
      fiscalCode: code.fiscalCode,
    },
    actor,
  );
  await em.flush();
}
