import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Scope } from '@sportello/platform';

/**
 * A refresh token, stored by digest. Each redemption of an authorization code starts a family;
 * each refresh replaces the presented token with a new one of the same family (rotation). A token
 * presented after it was replaced revokes the whole family.
 */
export const RefreshTokenEntity = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    ...tenantProperties(),
    tokenDigest: p.string().unique(),
    /** The sign-in this token descends from: every token of one code redemption shares it. */
    familyId: p.uuid().index(),
    clientId: p.string(),
    /** Who signed in: a citizen, or a staff member (first-party apps). */
    fiscalCode: p.string().length(16).nullable(),
    staffUsername: p.string().nullable(),
    scopes: p.json<Scope[]>(),
    /** When the person authenticated (the ID token's `auth_time`); refreshing does not move it. */
    authTime: p.datetime(),
    /** The `jti` of the access token issued with this refresh token. */
    accessTokenId: p.string().nullable().index(),
    issuedAt: p.datetime(),
    expiresAt: p.datetime(),
    /** When it was exchanged for its successor: presenting it again is a reuse. */
    rotatedAt: p.datetime().nullable(),
    /**
     * When its family was revoked (by the app, by reuse, or with the grant). Indexed: every token
     * verifier's revocation list asks for the sign-ins revoked within the longest token lifetime.
     */
    revokedAt: p.datetime().nullable().index(),
  },
});
export type RefreshToken = InferEntity<typeof RefreshTokenEntity>;
