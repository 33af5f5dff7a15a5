import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTHeaderParameters,
} from 'jose';
import { ACCESS_TOKEN_TYPE, claimsForPrincipal, type TokenPrincipal } from '@sportello/platform';

/** Every way a token can be wrong that the verifier tells apart. */
export const BAD_TOKEN_KINDS = [
  'expired',
  'not-yet-valid',
  'wrong-issuer',
  'wrong-audience',
  'wrong-type',
  'alg-none',
  'alg-confusion',
  'unknown-key',
  'bad-signature',
  'malformed',
  'invalid-claims',
] as const;
export type BadTokenKind = (typeof BAD_TOKEN_KINDS)[number];

export interface SignOptions {
  /** Lifetime from now. @default 300 */
  expiresInSec?: number;
  /** Seconds from now before which the token is not valid (`nbf`); omitted by default. */
  notBeforeSec?: number;
  /** Extra claims, or replacements; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Header overrides (`kid`, `typ`). */
  header?: Partial<JWTHeaderParameters>;
}

export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** Key id of the signing key. */
  readonly keyId: string;
  /** The public key set a verifier should trust. */
  readonly jwks: JSONWebKeySet;
  /** A signed access token for `principal`, in the documented claim format. */
  sign(principal: TokenPrincipal, options?: SignOptions): Promise<string>;
  /** `Bearer <token>`, ready for an Authorization header. */
  bearer(principal: TokenPrincipal, options?: SignOptions): Promise<string>;
  /** A token wrong in exactly one way, otherwise valid for `principal`. */
  badToken(kind: BadTokenKind, principal: TokenPrincipal): Promise<string>;
  /** Serves `jwks` at `/.well-known/jwks.json` on a loopback port; `close()` stops it. */
  serveJwks(): Promise<{ url: URL; close(): Promise<void> }>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An in-memory token issuer for tests: an ES256 key pair, its JWKS, and tokens for any principal,
 * good or bad. It signs exactly what the identity service issues, so tests need no identity service.
 */
export async function createTestIssuer(options: { issuer: string; audience: string }): Promise<TestIssuer> {
  const { issuer, audience } = options;
  const keyId = `test-${randomUUID()}`;
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid: keyId, alg: 'ES256', use: 'sig' }],
  };

  function payloadFor(principal: TokenPrincipal, signOptions: SignOptions): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      ...claimsForPrincipal(principal),
      iss: issuer,
      aud: audience,
      iat: now,
      exp: now + (signOptions.expiresInSec ?? 300),
      ...(signOptions.notBeforeSec === undefined ? {} : { nbf: now + signOptions.notBeforeSec }),
    };
    for (const [claim, value] of Object.entries(signOptions.claims ?? {})) {
      if (value === undefined) delete payload[claim];
      else payload[claim] = value;
    }
    return payload;
  }

  async function signWith(
    key: CryptoKey | Uint8Array,
    principal: TokenPrincipal,
    signOptions: SignOptions = {},
    alg = 'ES256',
  ): Promise<string> {
    return new SignJWT(payloadFor(principal, signOptions))
      .setProtectedHeader({ alg, kid: keyId, typ: ACCESS_TOKEN_TYPE, ...signOptions.header })
      .sign(key);
  }

  const sign = (principal: TokenPrincipal, signOptions?: SignOptions) =>
    signWith(privateKey, principal, signOptions);

  async function badToken(kind: BadTokenKind, principal: TokenPrincipal): Promise<string> {
    switch (kind) {
      case 'expired':
        return sign(principal, { expiresInSec: -600 });
      case 'not-yet-valid':
        return sign(principal, { notBeforeSec: 600 });
      case 'wrong-issuer':
        return sign(principal, { claims: { iss: 'https://issuer.invalid' } });
      case 'wrong-audience':
        return sign(principal, { claims: { aud: 'another-api' } });
      case 'wrong-type':
        return sign(principal, { header: { typ: 'JWT' } });
      case 'alg-none':
        return `${encode({ alg: 'none', typ: ACCESS_TOKEN_TYPE })}.${encode(payloadFor(principal, {}))}.`;
      case 'alg-confusion':
        // The classic attack: HMAC-sign with the (public) verification key as the shared secret.
        return signWith(new TextEncoder().encode(await exportSPKI(publicKey)), principal, {}, 'HS256');
      case 'unknown-key': {
        const other = await generateKeyPair('ES256');
        return signWith(other.privateKey, principal, { header: { kid: `unknown-${randomUUID()}` } });
      }
      case 'bad-signature': {
        // A forger who knows the key id but not the key.
        const other = await generateKeyPair('ES256');
        return signWith(other.privateKey, principal);
      }
      case 'malformed':
        return 'not-a-jwt';
      case 'invalid-claims':
        return sign(principal, { claims: { kind: 'superuser' } });
    }
  }

  async function serveJwks() {
    const body = JSON.stringify(jwks);
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.closeAllConnections();
          server.close((error) => (error ? reject(error) : resolve()));
        }),
    };
  }

  return {
    issuer,
    audience,
    keyId,
    jwks,
    sign,
    bearer: async (principal, signOptions) => `Bearer ${await sign(principal, signOptions)}`,
    badToken,
    serveJwks,
  };
}
