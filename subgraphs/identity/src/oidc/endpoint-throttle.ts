import { createHash, timingSafeEqual } from 'node:crypto';
import type { RouteResponse, ServiceRequest } from '@sportello/platform';
import { DEFAULT_OAUTH_THROTTLE, type IdentityConfig } from '../config.js';
import { verifyClientSecret } from '../domain/secrets.js';
import { OAuthError } from '../errors.js';
import { clientCredentials, html, json, readFields } from './http-io.js';
import { AttemptThrottle, ThrottledError, type ThrottleKey } from './throttle.js';

/** Client secrets verified lately, remembered at most (by digest, never in clear). */
const MAX_REMEMBERED_SECRETS = 10_000;
/** Sign-in steps are many per app (every citizen signing in to it): its limit is this much higher. */
const INTERACTION_CLIENT_FACTOR = 10;

export interface EndpointThrottleDeps {
  config: IdentityConfig;
  /** The secret hash of a confidential client, `null` for a public one, `undefined` when unknown. */
  clientSecretHash(clientId: string): Promise<string | null | undefined>;
  /** The app of a sign-in under way, if the id names one. */
  clientOfInteraction(id: string | undefined): Promise<string | undefined>;
}

/**
 * Slows down guessing at the token endpoint and at the login and consent steps: failures are counted
 * per client and per remote address (see {@link AttemptThrottle}); past the limit the answer is 429
 * with `Retry-After`, before any secret is hashed. A confidential client presenting the secret it
 * last authenticated with is never held back by others' failures (nor pays scrypt again).
 */
export function createEndpointThrottle(deps: EndpointThrottleDeps) {
  const { config } = deps;
  const limits = config.oauthThrottle ?? DEFAULT_OAUTH_THROTTLE;
  const throttle = new AttemptThrottle({ windowMs: limits.windowSeconds * 1000 });
  const verified = new Map<string, { secretHash: string; digest: Buffer }>();
  const internalIds = new Set(config.internalClients.map((client) => client.clientId));

  const digestOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

  /**
   * The caller's address: behind the trust boundary (an internal secret: every request comes from
   * the gateway or a service) the one the gateway established, else the TCP peer.
   */
  function remoteAddress(request: ServiceRequest): string {
    const peer = request.raw.socket.remoteAddress ?? 'unknown';
    const forwarded = config.internalSecret
      ? request.header('x-forwarded-for')?.split(',').at(-1)?.trim()
      : undefined;
    return (forwarded || peer).replace(/^::ffff:/, '').slice(0, 64);
  }

  const addressKey = (request: ServiceRequest): ThrottleKey => ({
    key: `address:${remoteAddress(request)}`,
    maxFailures: limits.failuresPerAddress,
  });

  function knownSecret(clientId: string, secret: string, secretHash?: string): boolean {
    const known = verified.get(clientId);
    if (known === undefined || (secretHash !== undefined && known.secretHash !== secretHash)) return false;
    return timingSafeEqual(known.digest, digestOf(secret));
  }

  return {
    remoteAddress,

    /** Whether `secret` is the confidential client's: scrypt only when not verified lately. */
    async verifySecret(clientId: string, secret: string, secretHash: string): Promise<boolean> {
      if (knownSecret(clientId, secret, secretHash)) return true;
      const ok = await verifyClientSecret(secret, secretHash);
      // A wrong guess does not make the client's own secret forgotten.
      if (ok) {
        verified.delete(clientId);
        if (verified.size >= MAX_REMEMBERED_SECRETS) verified.delete(verified.keys().next().value!);
        verified.set(clientId, { secretHash, digest: digestOf(secret) });
      }
      return ok;
    },

    /** `POST /oauth/token`: OAuth errors are failures; 429 `slow_down` JSON past the limit. */
    async token(
      request: ServiceRequest,
      handler: (request: ServiceRequest) => Promise<RouteResponse>,
    ): Promise<RouteResponse> {
      const fields = await readFields(request);
      let clientId: string | undefined;
      let secret: string | undefined;
      try {
        ({ clientId, secret } = clientCredentials(request, fields));
      } catch {
        // Malformed credentials: the handler answers them, counted against the address.
      }
      const keys = [addressKey(request)];
      if (clientId !== undefined && clientId !== '') {
        // Only clients with a secret to guess are counted: a public client's id is public, and
        // strangers' failures must not lock its users out; unknown ids are the address's.
        const hash = internalIds.has(clientId) ? 'internal' : await deps.clientSecretHash(clientId);
        // The client's current secret, as it last presented it: not held back by others' guesses.
        if (typeof hash === 'string' && secret !== undefined && knownSecret(clientId, secret, hash)) {
          return handler(request);
        }
        if (typeof hash === 'string') {
          keys.push({ key: `client:${clientId}`, maxFailures: limits.failuresPerClient });
        }
      }
      try {
        return await throttle.attempt(keys, async (failed) => {
          try {
            const answer = await handler(request);
            // A refused client or grant (400, 401) is a failed attempt.
            if (answer.status === 400 || answer.status === 401) failed();
            return answer;
          } catch (error) {
            if (error instanceof OAuthError) failed();
            throw error;
          }
        });
      } catch (error) {
        if (!(error instanceof ThrottledError)) throw error;
        return json(
          429,
          {
            error: 'slow_down',
            error_description: `too many failed attempts for this client or from this address: retry in ${error.retryAfterSeconds} s`,
          },
          { 'retry-after': String(error.retryAfterSeconds) },
        );
      }
    },

    /**
     * Login and consent posts of the sign-in `interactionId`: refused steps (400, 403) are failures;
     * a 429 page past the limit.
     */
    async interaction(
      request: ServiceRequest,
      handler: (request: ServiceRequest) => Promise<RouteResponse>,
      interactionId: string | undefined,
    ): Promise<RouteResponse> {
      const keys = [addressKey(request)];
      const clientId = await deps.clientOfInteraction(interactionId);
      if (clientId !== undefined) {
        keys.push({
          key: `interaction-client:${clientId}`,
          maxFailures: limits.failuresPerClient * INTERACTION_CLIENT_FACTOR,
        });
      }
      try {
        return await throttle.attempt(keys, async (failed) => {
          const answer = await handler(request);
          if (answer.status === 400 || answer.status === 403) failed();
          return answer;
        });
      } catch (error) {
        if (!(error instanceof ThrottledError)) throw error;
        const answer = html(
          429,
          'Too many attempts',
          `<p>Too many sign-in attempts failed. Wait ${error.retryAfterSeconds} seconds, then start again from the application.</p>`,
        );
        return { ...answer, headers: { ...answer.headers, 'retry-after': String(error.retryAfterSeconds) } };
      }
    },

    /** Keys the throttle remembers (bounded). */
    get trackedKeys(): number {
      return throttle.size;
    },
  };
}
