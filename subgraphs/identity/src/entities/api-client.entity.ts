import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Scope, uuidPrimaryKey } from '@sportello/platform';

/**
 * A registered application. Third-party apps authenticate with a secret (stored only as a scrypt
 * hash) and reach public data, or a citizen's data through that citizen's grant; first-party apps
 * (the comune's own portal) get citizen tokens without a consent step.
 */
export const ApiClientEntity = defineEntity({
  name: 'ApiClient',
  tableName: 'api_client',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    clientId: p.string().unique(),
    name: p.string(),
    /** `null` for public clients (browser and mobile apps using PKCE without a secret). */
    secretHash: p.string().nullable(),
    scopes: p.json<Scope[]>(),
    redirectUris: p.json<string[]>(),
    rateLimitPerMinute: p.integer(),
    firstParty: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiClient = InferEntity<typeof ApiClientEntity>;

/** A citizen's consent to an app reaching their data within some scopes (one row per citizen and app). */
export const ConsentGrantEntity = defineEntity({
  name: 'ConsentGrant',
  tableName: 'consent_grant',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16),
    clientId: p.string(),
    scopes: p.json<Scope[]>(),
    grantedAt: p.datetime(),
    /** When the app last obtained a token with this grant; `null` when not known (or not since). */
    lastUsedAt: p.datetime().nullable(),
    /** When the citizen withdrew the grant: the app asks again, and its tokens issued until then end. */
    revokedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['comune', 'fiscalCode', 'clientId'] }],
});
export type ConsentGrant = InferEntity<typeof ConsentGrantEntity>;
