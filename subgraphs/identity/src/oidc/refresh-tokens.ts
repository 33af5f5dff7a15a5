import { REVOCATION_RETENTION_MS, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';

/**
 * Revokes the refresh tokens still usable that match: a family, or every one of an app for a
 * citizen (a withdrawn grant), or of a citizen (signed out everywhere).
 */
export async function revokeRefreshTokens(
  em: EntityManager,
  where: { familyId?: string; clientId?: string; fiscalCode?: string | null },
  now = new Date(),
): Promise<void> {
  const filter: Record<string, unknown> = { revokedAt: null };
  if (where.familyId !== undefined) filter.familyId = where.familyId;
  if (where.clientId !== undefined) filter.clientId = where.clientId;
  if (where.fiscalCode != null) filter.fiscalCode = where.fiscalCode;
  if (Object.keys(filter).length === 1)
    throw new Error('revokeRefreshTokens needs a family, client or citizen');
  await em.nativeUpdate(RefreshTokenEntity, filter, { revokedAt: now });
}

/**
 * Marks revoked the records of a revoked app's tokens that its `client-revoked` revocation ends at
 * every verifier, so that identity's own views of them agree: every token of a third-party app (for
 * itself, or on a citizen's behalf); of a first-party app, those it obtained for itself (client
 * credentials). The tokens of people signed in to a first-party app name the person, not the app,
 * and stay theirs.
 */
export async function revokeClientTokens(
  em: EntityManager,
  client: { clientId: string; firstParty: boolean },
  now = new Date(),
): Promise<void> {
  const ownTokensOnly = client.firstParty ? { fiscalCode: null, staffUsername: null } : {};
  await em.nativeUpdate(
    RefreshTokenEntity,
    { clientId: client.clientId, revokedAt: null, ...ownTokensOnly },
    { revokedAt: now },
  );
}

/**
 * The provider's grants of the sign-ins of an app for a citizen, as the records of their access
 * tokens name them (records from before they named one are left out).
 */
export async function providerGrantIdsOf(
  em: EntityManager,
  where: { clientId: string; fiscalCode: string },
): Promise<string[]> {
  const records = await em.find(
    RefreshTokenEntity,
    { clientId: where.clientId, fiscalCode: where.fiscalCode, grantId: { $ne: null } },
    { fields: ['grantId'], disableIdentityMap: true },
  );
  return [...new Set(records.flatMap((record) => (record.grantId == null ? [] : [record.grantId])))];
}

/**
 * Ends a sign-in at once: every refresh token of the family stops working, and every access token
 * issued with one of them that may still be live is refused by every token verifier (gateway and
 * services) through `access.revoked` (`token-revoked`, by its `jti`), queued in the outbox and
 * stored by the same flush. The person's other sign-ins are untouched. Revoking a family already
 * revoked changes nothing.
 */
export async function revokeSignIn(
  em: EntityManager,
  familyId: string,
  actor: Actor | null,
  now = new Date(),
): Promise<void> {
  const family = await em.find(RefreshTokenEntity, { familyId, revokedAt: null });
  const oldestLive = now.getTime() - REVOCATION_RETENTION_MS;
  for (const token of family) {
    token.revokedAt = now;
    if (token.accessTokenId == null || token.issuedAt.getTime() < oldestLive) continue;
    recordAccessRevoked(
      em,
      token.comune,
      {
        reason: 'token-revoked',
        revokedAt: now.toISOString(),
        tokenId: token.accessTokenId,
        clientId: token.clientId,
      },
      actor,
    );
  }
  await em.flush();
}
