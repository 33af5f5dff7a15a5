import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import type { RevocationReason } from '@sportello/schema';
import { UnauthenticatedError } from '../errors/client-errors.js';
import { type Principal } from './principal.js';
import type { RevocationView } from './revocations.js';
import {
  ACCESS_TOKEN_TYPE,
  InvalidClaimsError,
  issuedAtOf,
  principalFromClaims,
  type TokenPrincipal,
} from './token-claims.js';

/** Why a token was rejected: `extensions.reason` of the `UNAUTHENTICATED` error. */
export const TOKEN_REJECTION_REASONS = [
  'MALFORMED_TOKEN',
  'WRONG_TOKEN_TYPE',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_LIFETIME_TOO_LONG',
  'WRONG_ISSUER',
  'WRONG_AUDIENCE',
  'ALGORITHM_NOT_ALLOWED',
  'UNKNOWN_KEY',
  'BAD_SIGNATURE',
  'INVALID_CLAIMS',
  'TOKEN_REVOKED',
  'CLIENT_REVOKED',
] as const;
export type TokenRejectionReason = (typeof TOKEN_REJECTION_REASONS)[number];

/**
 * The longest lifetime (`exp` - `iat`) a verifier accepts by default: the longest access token
 * identity can be configured to issue (an hour) plus a minute.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_SEC = 3660;

/** Asymmetric algorithms only: keys come from a public JWKS, so an HMAC "key" would be public. */
const ASYMMETRIC = /^(ES(256|384|512)|RS(256|384|512)|PS(256|384|512)|EdDSA|Ed25519)$/;

/** Where the verification keys come from. */
export type JwksSource = URL | JSONWebKeySet | (() => Promise<JSONWebKeySet>);

export interface TokenVerifierOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** Expected `aud` (the token may list several audiences). */
  audience: string;
  /**
   * The issuer's public keys: a JWKS URL (fetched and cached, refreshed when an unknown `kid`
   * shows up), a key set, or a function returning one (called lazily, again on an unknown `kid`).
   */
  jwks: JwksSource;
  /** Accepted signature algorithms; symmetric ones are refused. @default ['ES256', 'RS256'] */
  algorithms?: readonly string[];
  /** Allowed clock skew for `exp` and `nbf`. @default 5 */
  clockToleranceSec?: number;
  /**
   * How far in the future an `iat` may lie (the issuer's clock ahead of this one): a token issued
   * later than that is refused as not yet valid. @default 60
   */
  issuedAtSkewSec?: number;
  /** Minimum time between two reloads of the key set. @default 30 */
  jwksCooldownSec?: number;
  /** Timeout of a JWKS request when `jwks` is a URL. @default 5000 */
  jwksTimeoutMs?: number;
  /**
   * Headers added to each JWKS request when `jwks` is a URL, read at every request (the internal
   * assertion identity's private port asks for).
   */
  jwksHeaders?: () => Record<string, string>;
  /**
   * The longest a token may live: one whose `exp` lies further than this after its `iat` is refused
   * (`TOKEN_LIFETIME_TOO_LONG`), so no token is used longer than this after it was issued. The default is the
   * longest access-token lifetime identity can be configured to issue (`ACCESS_TOKEN_TTL_SECONDS`
   * at most 3600) plus a minute. @default 3660
   */
  maxTokenAgeSec?: number;
  /** Revocations identity announced: matching tokens are refused before they expire. */
  revocations?: RevocationView;
  /**
   * How long a token whose signature was checked is remembered, so that the next request with the
   * same token (the gateway, then each subgraph of its plan) skips the signature check. Its expiry
   * and revocations are checked at every use. 0 checks every signature. @default 60
   */
  verifiedTokenCacheSec?: number;
}

/** How many verified tokens a verifier remembers, the least recently verified dropped first. */
const VERIFIED_TOKENS_KEPT = 5_000;

export interface TokenVerifier {
  /**
   * The principal behind an `Authorization` header value: anonymous (for `comune`) when the header
   * is absent or empty, the token's principal otherwise.
   *
   * @throws {UnauthenticatedError} with `extensions.reason` one of {@link TOKEN_REJECTION_REASONS}
   * when the header or token is not acceptable.
   * @throws {Error} when the keys cannot be loaded (an outage, not the caller's fault).
   */
  verify(authorization: string | undefined, options: { comune: string }): Promise<Principal>;
  /** Like `verify` for a bare token (e.g. from graphql-ws connection params). */
  verifyToken(token: string): Promise<TokenPrincipal>;
}

/**
 * The `UNAUTHENTICATED` error of a token a revocation ended: reason `CLIENT_REVOKED` for a revoked
 * app, `TOKEN_REVOKED` otherwise, and a message saying what ended it.
 */
export function revokedTokenError(reason: RevocationReason): UnauthenticatedError {
  return reason === 'client-revoked'
    ? reject('CLIENT_REVOKED', 'This API client has been revoked: its tokens are no longer accepted.')
    : reject('TOKEN_REVOKED', REVOKED_MESSAGES[reason]);
}

/** What the caller is told when a revocation ended their token. */
const REVOKED_MESSAGES: Record<Exclude<RevocationReason, 'client-revoked'>, string> = {
  'grant-revoked': "The citizen withdrew this app's access: sign in again to ask for it.",
  'delegation-revoked': 'The delegation this token acted on was revoked: obtain a new token.',
  'staff-disabled': 'This staff account has been disabled.',
  'signed-out': 'You signed out: sign in again.',
  'token-revoked': 'This access token was revoked: sign in again or obtain a new token.',
};

function reject(reason: TokenRejectionReason, message: string): UnauthenticatedError {
  return new UnauthenticatedError(message, { reason });
}

function keysFrom(options: TokenVerifierOptions): JWTVerifyGetKey {
  const cooldownMs = (options.jwksCooldownSec ?? 30) * 1000;
  const source = options.jwks;
  if (source instanceof URL) {
    const extraHeaders = options.jwksHeaders;
    return createRemoteJWKSet(source, {
      cooldownDuration: cooldownMs,
      timeoutDuration: options.jwksTimeoutMs ?? 5000,
      ...(extraHeaders
        ? {
            [customFetch]: (url: string, init: RequestInit) => {
              const headers = new Headers(init.headers);
              for (const [name, value] of Object.entries(extraHeaders())) headers.set(name, value);
              return fetch(url, { ...init, headers });
            },
          }
        : {}),
    });
  }
  if (typeof source !== 'function') return createLocalJWKSet(source);

  let current: Promise<JWTVerifyGetKey> | undefined;
  let loadedAt = 0;
  const load = () => {
    loadedAt = Date.now();
    current = source().then((set) => createLocalJWKSet(set));
    // A failed load must not stick: the next request tries again.
    current.catch(() => {
      current = undefined;
    });
    return current;
  };
  return async (header, token) => {
    const keys = await (current ?? load());
    try {
      return await keys(header, token);
    } catch (error) {
      // The issuer may have rotated its key since the set was loaded.
      if (error instanceof errors.JWKSNoMatchingKey && Date.now() - loadedAt >= cooldownMs) {
        return (await load())(header, token);
      }
      throw error;
    }
  };
}

/** The `alg` of a token header, only if it is a short, plain word (it goes into a message). */
function algorithmOf(token: string): string {
  try {
    const alg = decodeProtectedHeader(token).alg;
    return typeof alg === 'string' && /^[A-Za-z0-9+-]{1,16}$/.test(alg) ? alg : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Verifies Sportello access tokens and turns them into principals. Gateway and subgraphs each use
 * one, so a subgraph never trusts a header it did not verify.
 *
 * ## Access token format (issued by the identity service)
 *
 * Header: `alg` ES256 (or RS256), `kid` of a key in the issuer's JWKS, `typ` `"at+jwt"`.
 *
 * Registered claims, all required except `nbf`: `iss` (the issuer URL), `aud` (the API audience;
 * a string or an array containing it), `exp`, `iat`, optional `nbf`, `sub` (stable subject id),
 * `jti` (token id, becomes `principal.tokenId`).
 *
 * Sportello claims:
 * | claim | kinds | content |
 * |---|---|---|
 * | `kind` | all | `citizen`, `staff`, `client` or `service` |
 * | `comune` | all | 6-digit ISTAT code the token is valid for |
 * | `fiscal_code` | citizen | upper-case fiscal code |
 * | `acts_for` | citizen | optional array of fiscal codes the citizen acts for |
 * | `username` | staff | staff username |
 * | `offices` | staff | array of `OFFICES` |
 * | `client_id` | client | the app's client id |
 * | `scope` | client | space-separated `SCOPES` |
 * | `on_behalf_of` | client | optional `{ fiscal_code, acts_for? }`: the citizen who granted the app access |
 * | `service` | service | lower-case name of the calling Sportello service |
 *
 * A token whose claims do not fit (unknown kind, office, scope; malformed fiscal code) is rejected
 * with `INVALID_CLAIMS`. `claimsForPrincipal` builds these claims from a principal.
 *
 * @throws {Error} at creation when `algorithms` lists a symmetric algorithm.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const algorithms = [...(options.algorithms ?? ['ES256', 'RS256'])];
  const symmetric = algorithms.filter((alg) => !ASYMMETRIC.test(alg));
  if (symmetric.length > 0) {
    throw new Error(
      `Token verifier: only asymmetric algorithms can be verified with a JWKS, got ${symmetric.join(', ')}`,
    );
  }
  const keys = keysFrom(options);
  const accepted = algorithms.join(', ');

  const maxTokenAgeSec = options.maxTokenAgeSec ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC;
  const issuedAtSkewSec = options.issuedAtSkewSec ?? 60;

  const clockToleranceSec = options.clockToleranceSec ?? 5;
  const rememberSec = options.verifiedTokenCacheSec ?? 60;
  /** Payloads of tokens whose signature and claims were checked, with the second they stop counting. */
  const verified = new Map<string, { payload: Record<string, unknown>; until: number }>();

  async function verifyToken(token: string): Promise<TokenPrincipal> {
    const now = Date.now() / 1000;
    const known = verified.get(token);
    if (known !== undefined && known.until > now) return principalOf(known.payload);
    if (known !== undefined) verified.delete(token);
    const payload = await checkedPayload(token);
    const principal = principalOf(payload);
    if (rememberSec > 0) {
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
      // Past `exp` (and its tolerance) jose would refuse it: the next use checks it in full.
      const until = Math.min((payload['exp'] as number) + clockToleranceSec, now + rememberSec);
      verified.set(token, { payload, until });
    }
    return principal;
  }

  /**
   * The payload of a token whose signature, registered claims, issue time and lifetime hold.
   * @throws {UnauthenticatedError} naming what does not hold
   */
  async function checkedPayload(token: string): Promise<Record<string, unknown>> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: clockToleranceSec,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      }));
    } catch (error) {
      throw rejectionFor(error, token);
    }
    // jose checked that `exp` and `iat` are numbers; their bounds are ours to check.
    const issuedAt = payload['iat'] as number;
    const lifetime = (payload['exp'] as number) - issuedAt;
    const now = Math.floor(Date.now() / 1000);
    if (issuedAt > now + issuedAtSkewSec) {
      throw reject(
        'TOKEN_NOT_YET_VALID',
        'The access token claims to be issued in the future (its "iat" is ahead of this API\'s clock).',
      );
    }
    if (lifetime > maxTokenAgeSec) {
      throw reject(
        'TOKEN_LIFETIME_TOO_LONG',
        `The access token lives ${lifetime} s ("exp" - "iat"), longer than the ${maxTokenAgeSec} s this API accepts: obtain a token from the identity service.`,
      );
    }
    return payload;
  }

  /** The principal of a checked payload, unless a revocation ended its token. */
  function principalOf(payload: Record<string, unknown>): TokenPrincipal {
    let principal: TokenPrincipal;
    try {
      principal = principalFromClaims(payload);
    } catch (error) {
      if (error instanceof InvalidClaimsError) {
        throw reject('INVALID_CLAIMS', `The access token is not acceptable: ${error.message}.`);
      }
      throw error;
    }
    const revocation = options.revocations?.revocationOf(principal, issuedAtOf(payload));
    if (revocation !== undefined) throw revokedTokenError(revocation.reason);
    return principal;
  }

  function rejectionFor(error: unknown, token: string): Error {
    if (error instanceof errors.JWTExpired) {
      return reject('TOKEN_EXPIRED', 'The access token has expired: obtain a new one.');
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      switch (error.claim) {
        case 'nbf':
          return reject(
            'TOKEN_NOT_YET_VALID',
            'The access token is not valid yet (its "nbf" is in the future).',
          );
        case 'iss':
          return reject('WRONG_ISSUER', 'The access token was not issued by the expected issuer.');
        case 'aud':
          return reject('WRONG_AUDIENCE', 'The access token is meant for another audience, not this API.');
        case 'typ':
          return reject(
            'WRONG_TOKEN_TYPE',
            `The token is not an access token (header "typ" must be "${ACCESS_TOKEN_TYPE}").`,
          );
        default:
          return reject(
            'INVALID_CLAIMS',
            error.reason === 'missing'
              ? `The access token is not acceptable: claim "${error.claim}" is missing.`
              : `The access token is not acceptable: claim "${error.claim}" is invalid.`,
          );
      }
    }
    if (error instanceof errors.JOSEAlgNotAllowed) {
      return reject(
        'ALGORITHM_NOT_ALLOWED',
        `The access token is signed with algorithm "${algorithmOf(token)}", which is not accepted (accepted: ${accepted}).`,
      );
    }
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
      return reject('UNKNOWN_KEY', 'The access token is signed with a key the issuer does not publish.');
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return reject('BAD_SIGNATURE', 'The access token signature is not valid.');
    }
    if (
      error instanceof errors.JWSInvalid ||
      error instanceof errors.JWTInvalid ||
      error instanceof errors.JOSENotSupported
    ) {
      return reject('MALFORMED_TOKEN', 'The access token is not a well-formed signed JWT.');
    }
    // Unreachable JWKS, invalid key set, timeouts: our problem, not the caller's.
    return new Error('Token verification failed: the signing keys could not be loaded', { cause: error });
  }

  return {
    verifyToken,
    async verify(authorization, { comune }) {
      const header = authorization?.trim() ?? '';
      if (header === '') return { kind: 'anonymous', comune };
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) {
        throw reject('MALFORMED_TOKEN', 'The Authorization header must be "Bearer <access token>".');
      }
      return verifyToken(match[1]!);
    },
  };
}
