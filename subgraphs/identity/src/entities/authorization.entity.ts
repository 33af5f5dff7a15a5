import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Scope } from '@sportello/platform';
import type { Language } from './citizen.entity.js';

/** An authorization code, stored by digest, redeemable once within a minute or so. */
export const AuthorizationCodeEntity = defineEntity({
  name: 'AuthorizationCode',
  tableName: 'authorization_code',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    ...tenantProperties(),
    codeDigest: p.string().unique(),
    clientId: p.string(),
    redirectUri: p.text(),
    codeChallenge: p.string(),
    scopes: p.json<Scope[]>(),
    /** Who logged in: a citizen, or (first-party apps, development login only) a staff member. */
    fiscalCode: p.string().length(16).nullable(),
    staffUsername: p.string().nullable(),
    nonce: p.string().nullable(),
    /** When the person authenticated (the ID token's `auth_time`); `null` for codes issued before it was kept. */
    authTime: p.datetime().nullable(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type AuthorizationCode = InferEntity<typeof AuthorizationCodeEntity>;

/** The app's authorization request, parked while the citizen logs in (upstream) and consents. */
export interface ParkedRequest {
  clientId: string;
  redirectUri: string;
  scopes: Scope[];
  state: string | null;
  codeChallenge: string;
  nonce: string | null;
  /** Signs staff in, through the comune's own provider (`STAFF_OIDC_*`), not a citizen through SPID/CIE. */
  staff?: boolean;
  /** Digest of the secret of the browser that started the request (its interaction cookie). */
  browser?: string;
  /** When the person signed in (epoch milliseconds), once they have. */
  authTime?: number;
  /** The language of the sign-in pages (`ui_locales`, else the browser's `Accept-Language`). */
  language?: Language;
}

/**
 * An authorization request in progress. Its id travels as the `state` of the upstream login and
 * as the hidden field of the consent form, so the browser never carries the request itself.
 */
export const PendingAuthorizationEntity = defineEntity({
  name: 'PendingAuthorization',
  tableName: 'pending_authorization',
  properties: {
    id: p.string().primary(),
    ...tenantProperties(),
    request: p.json<ParkedRequest>(),
    /** PKCE verifier and nonce of the upstream login, while it is under way. */
    upstreamVerifier: p.string().nullable(),
    upstreamNonce: p.string().nullable(),
    /** Set once the citizen has logged in, waiting for consent. */
    fiscalCode: p.string().length(16).nullable(),
    /** Set instead when a staff member logged in to a first-party app (development login). */
    staffUsername: p.string().nullable(),
    expiresAt: p.datetime(),
  },
});
export type PendingAuthorization = InferEntity<typeof PendingAuthorizationEntity>;
