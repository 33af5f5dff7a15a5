import { randomUUID } from 'node:crypto';
import { REVOCATION_RETENTION_MS, type EntityManager, type Scope } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { digestToken, generateOneTimeToken } from '../domain/secrets.js';
import { RefreshTokenEntity, type RefreshToken } from '../entities/refresh-token.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';

/** How long refresh tokens live. */
export interface RefreshTokenLifetimes {
  /** A refresh token not used for this long expires (each refresh starts the count again). */
  idleSeconds: number;
  /** No refresh token outlives its sign-in by more than this, however often it is used. */
  maxAgeSeconds: number;
}

/** The sign-in a refresh token carries on. */
export interface RefreshSession {
  comune: string;
  clientId: string;
  fiscalCode: string | null;
  staffUsername: string | null;
  scopes: Scope[];
  authTime: Date;
}

/**
 * Stores a new refresh token (by digest) of `familyId` (a new family when omitted) and returns it:
 * opaque, shown once.
 */
export function createRefreshToken(
  em: EntityManager,
  session: RefreshSession,
  options: { familyId?: string; accessTokenId: string; lifetimes: RefreshTokenLifetimes; now?: Date },
): string {
  const now = options.now ?? new Date();
  const token = generateOneTimeToken();
  const idleEnd = now.getTime() + options.lifetimes.idleSeconds * 1000;
  const ageEnd = session.authTime.getTime() + options.lifetimes.maxAgeSeconds * 1000;
  em.create(RefreshTokenEntity, {
    ...session,
    tokenDigest: digestToken(token),
    familyId: options.familyId ?? randomUUID(),
    accessTokenId: options.accessTokenId,
    issuedAt: now,
    expiresAt: new Date(Math.min(idleEnd, ageEnd)),
    rotatedAt: null,
    revokedAt: null,
  });
  return token;
}

/** The refresh token stored for `token`, if any (whatever its state). */
export function findRefreshToken(em: EntityManager, token: string): Promise<RefreshToken | null> {
  return em.findOne(RefreshTokenEntity, { tokenDigest: digestToken(token) });
}

/**
 * Marks `token` as replaced, in one statement: of two refreshes with the same token at once, one
 * wins; `false` for the other (a reuse), or when the token was rotated or revoked already.
 */
export async function claimRefreshToken(
  em: EntityManager,
  token: RefreshToken,
  now = new Date(),
): Promise<boolean> {
  const claimed = await em.nativeUpdate(
    RefreshTokenEntity,
    { id: token.id, rotatedAt: null, revokedAt: null },
    { rotatedAt: now },
  );
  return claimed > 0;
}

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
