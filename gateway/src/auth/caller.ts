import { issuedAtOf, type Principal } from '@sportello/platform';
import { GraphQLError } from 'graphql';

/**
 * What the gateway needs from token verification: the platform `TokenVerifier`
 * (`createTokenVerifier`) fits as is.
 */
export interface GatewayTokenVerifier {
  /**
   * Verifies signature, issuer, audience, expiry and algorithm of a bare access token.
   * @throws {GraphQLError} with `extensions.code` `UNAUTHENTICATED` for a token that must not be
   * accepted (its message is meant for the client); any other error means the keys could not be
   * loaded.
   */
  verifyToken(token: string): Promise<Principal>;
}

/** Who is calling, as the gateway sees it. */
export interface Caller {
  /** Absent for anonymous requests (no Authorization header). */
  principal?: Principal;
  /** Key of the caller's rate bucket and trusted-document manifest; absent when anonymous. */
  clientId?: string;
  /** Requests per minute for this caller, from the token's `rate_limit` claim when present. */
  clientPerMinute?: number;
  /** When the token expires (ms since the epoch): long-lived subscriptions end then. */
  expiresAt?: number;
  /** When the token was issued (seconds, fractional with `iat_ms`): a later revocation of its holder ends it. */
  issuedAt?: number;
  ip: string;
}

/** The request carries an Authorization header that is not acceptable. */
export class AuthenticationError extends GraphQLError {
  constructor(message: string, reason: string) {
    super(message, { extensions: { code: 'UNAUTHENTICATED', reason } });
  }
}

/** Token verification could not run (e.g. the issuer's keys are unreachable): not the caller's fault. */
export class VerificationUnavailableError extends Error {
  override readonly name = 'VerificationUnavailableError';
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** The claims of a token that already passed verification (no second signature check needed). */
function verifiedClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The rate bucket of a principal: an app by its client id (whoever it acts for), anyone else by
 * kind and token id, so one citizen's session cannot drain another's budget.
 */
function clientKeyOf(principal: Principal): string {
  switch (principal.kind) {
    case 'client':
      return principal.clientId;
    case 'service':
      return `service:${principal.service}`;
    case 'anonymous':
      return 'anonymous';
    default:
      return `${principal.kind}:${principal.tokenId}`;
  }
}

/**
 * Turns the Authorization header into a caller. No header means anonymous; anything else must be a
 * bearer token that verifies.
 * @throws {AuthenticationError} with a message naming what is wrong but no key, issuer or claim value.
 * @throws {VerificationUnavailableError} when the verifier itself fails.
 */
export async function identifyCaller(
  authorization: string | undefined,
  ip: string,
  verifier: GatewayTokenVerifier,
  defaultClientPerMinute: number,
): Promise<Caller> {
  if (authorization === undefined || authorization.trim() === '') return { ip };
  const match = BEARER.exec(authorization.trim());
  if (!match?.[1]) {
    throw new AuthenticationError(
      'The Authorization header must be "Bearer <access token>".',
      'MALFORMED_TOKEN',
    );
  }
  let principal: Principal;
  try {
    principal = await verifier.verifyToken(match[1]);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions['code'] === 'UNAUTHENTICATED') {
      const reason =
        typeof error.extensions['reason'] === 'string' ? error.extensions['reason'] : 'INVALID_TOKEN';
      throw new AuthenticationError(error.message, reason);
    }
    throw new VerificationUnavailableError('Access tokens cannot be verified right now', { cause: error });
  }
  const claims = verifiedClaims(match[1]);
  const rateLimit = claims['rate_limit'];
  const clientPerMinute =
    typeof rateLimit === 'number' && Number.isInteger(rateLimit) && rateLimit > 0
      ? rateLimit
      : defaultClientPerMinute;
  const expiresAt = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : undefined;
  const issuedAt = typeof claims['iat'] === 'number' ? issuedAtOf(claims) : undefined;
  return {
    principal,
    clientId: clientKeyOf(principal),
    clientPerMinute,
    ip,
    ...(expiresAt ? { expiresAt } : {}),
    ...(issuedAt ? { issuedAt } : {}),
  };
}
