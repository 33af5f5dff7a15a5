import type { EntityManager, Logger } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { signOutEverywhere } from '../domain/accounts.js';
import { ConsentGrantEntity, type ApiClient } from '../entities/api-client.entity.js';
import type { AuthorizationCode } from '../entities/authorization.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';
import { revokeRefreshTokens } from './refresh-tokens.js';

/**
 * A code presented again after it was redeemed: it may have been stolen, so what its first
 * redemption issued stops working (RFC 6749 4.1.2), through the usual revocation path (state that
 * `/internal/revocations` lists, and `access.revoked` for every verifier at once):
 * - an app acting for a citizen loses the citizen's grant (`grant-revoked`): its tokens for that
 *   citizen end, and it has to ask for consent again;
 * - a first-party app's citizen is signed out everywhere (`signed-out`).
 * Either way the app's refresh tokens for the citizen stop working too. A staff code has no
 * revocation short of disabling the member: its reuse is only refused and logged.
 *
 * A refresh token presented after it was rotated is answered the same way (`what`).
 */
export async function revokeTokensOfReusedCode(
  em: EntityManager,
  code: Pick<AuthorizationCode, 'comune' | 'fiscalCode' | 'staffUsername'>,
  client: ApiClient,
  logger: Logger,
  now = new Date(),
  what = 'authorization code',
): Promise<void> {
  const actor: Actor = { kind: 'client', id: client.clientId };
  if (code.staffUsername != null || code.fiscalCode == null) {
    logger.warn({ comune: code.comune, clientId: client.clientId }, `staff ${what} presented again`);
    return;
  }
  logger.warn(
    { comune: code.comune, clientId: client.clientId },
    `${what} presented again: the tokens it gave are revoked`,
  );
  await revokeRefreshTokens(em, { clientId: client.clientId, fiscalCode: code.fiscalCode }, now);
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
