import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * What the OpenID provider (`oidc-provider`) stores: sessions, interactions, grants, codes, tokens,
 * registered clients... one row per model instance, keyed by the model's name and the instance's
 * id. The payload is the library's own and opaque here; the columns beside it are what the library
 * looks rows up by (`grantId`, `userCode`, `uid`), what identity looks a person's rows up by
 * (`accountId`) and when a row stops counting (`expiresAt`). Not
 * a tenant record: the provider is one issuer for every comune of the deployment.
 */
export const OidcPayloadEntity = defineEntity({
  name: 'OidcPayload',
  tableName: 'oidc_payload',
  properties: {
    /** The model: `Session`, `AccessToken`, `AuthorizationCode`, `Grant`... */
    kind: p.string().length(64).primary(),
    /** The instance's id (a token's `jti`, a session's id...); the library chooses it. */
    id: p.text().primary(),
    payload: p.json<Record<string, unknown>>(),
    /** The grant a code or token belongs to: revoking the grant deletes them all. */
    grantId: p.text().nullable().index(),
    /** A device flow's user code (`findByUserCode`). */
    userCode: p.text().nullable().index(),
    /**
     * The person the row is of (the payload's `accountId`: a session's, a grant's, a token's...);
     * `null` for what names none. Identity finds a person's sessions by it.
     */
    accountId: p.text().nullable().index(),
    /** A session's uid (`findByUid`). */
    uid: p.text().nullable().index(),
    /** When the row stops being found, and may be deleted; `null`: never. */
    expiresAt: p.datetime().nullable().index(),
    /** When a code or token was used (`consume`): found again, it carries `consumed`. */
    consumedAt: p.datetime().nullable(),
  },
});
export type OidcPayload = InferEntity<typeof OidcPayloadEntity>;
