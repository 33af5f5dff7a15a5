import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { JWK } from 'jose';
import type { SealedJwk } from '../oidc/key-encryption.js';

/**
 * An ES256 key pair signing access tokens. Not a tenant record: one issuer signs for every comune
 * of the deployment. `retiredAt` is when a newer key took over; the public half stays published
 * until every token it signed has expired. `privateJwk` is sealed (AES-256-GCM) when identity has a
 * key-encryption key; a key stored in clear before one was configured is sealed at its next use.
 */
export const SigningKeyEntity = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_key',
  properties: {
    kid: p.string().primary(),
    publicJwk: p.json<JWK>(),
    privateJwk: p.json<JWK | SealedJwk>(),
    createdAt: p.datetime(),
    retiredAt: p.datetime().nullable(),
  },
});
export type SigningKey = InferEntity<typeof SigningKeyEntity>;
