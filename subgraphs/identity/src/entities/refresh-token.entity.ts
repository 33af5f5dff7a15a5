import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Scope, uuidPrimaryKey } from '@sportello/platform';

/**
 * An access token the OpenID provider issued for a person's sign-in, or to an app for itself (client
 * credentials: no person, a family of its own), remembered by its `jti` (`accessTokenId`;
 * `tokenDigest` is the digest of `access:<jti>`) so that ending the sign-in (or revoking the app's
 * token) names it to every verifier. The family is the sign-in (`signInId` of the provider's grant). The refresh
 * tokens themselves are the provider's (`oidc_payload`); `rotatedAt` stays unset. The table keeps
 * its name from when identity issued refresh tokens itself. Records of expired tokens are deleted by
 * the `access-token-purge` job, except the first and last of a sign-in that may still issue tokens.
 */
export const RefreshTokenEntity = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    tokenDigest: p.string().unique(),
    /** The sign-in this token descends from: every token of one code redemption shares it. */
    familyId: p.uuid().index(),
    /**
     * The provider's grant of the sign-in (`familyId` is derived from it), ended with the sign-in so
     * that the browser's next sign-in to the app is a new one. Unset on records older than it.
     */
    grantId: p.string().nullable(),
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
    /** When the access token expires. Indexed: the `access-token-purge` job reads the expired. */
    expiresAt: p.datetime().index(),
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
