import {
  AuthenticationError,
  type Caller,
  type GatewayTokenVerifier,
  identifyCaller,
  VerificationUnavailableError,
} from '../auth/caller.js';
import { type Refusal } from './refusal.js';

/**
 * Step 2: who is calling. No `Authorization` is anonymous; a bearer token must verify (signature,
 * issuer, audience, expiry, revocations), else 401 with the verifier's reason; keys that cannot be
 * loaded are our outage, 503.
 */
export async function authenticate(
  authorization: string | undefined,
  address: string,
  verifier: GatewayTokenVerifier,
  defaultClientPerMinute: number,
  log: { error(fields: object, message?: string): void },
): Promise<Caller | Refusal> {
  try {
    return await identifyCaller(authorization, address, verifier, defaultClientPerMinute);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      return {
        status: 401,
        reason: 'unauthenticated',
        headers: { 'www-authenticate': 'Bearer' },
        error: {
          message: error.message,
          extensions: { code: 'UNAUTHENTICATED', reason: error.extensions['reason'] },
        },
      };
    }
    if (!(error instanceof VerificationUnavailableError)) throw error;
    log.error({ err: error.cause }, 'token verification unavailable');
    return {
      status: 503,
      reason: 'verification_unavailable',
      headers: { 'retry-after': '5' },
      error: { message: `${error.message}; retry later`, extensions: { code: 'SERVICE_UNAVAILABLE' } },
    };
  }
}
