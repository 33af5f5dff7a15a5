import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/**
 * The header carrying the internal assertion: proof that a request comes from the gateway or another
 * Sportello service of the same deployment, not from the network at large.
 */
export const INTERNAL_ASSERTION_HEADER = 'x-sportello-internal';

/** Shortest accepted `INTERNAL_SECRET` (characters): 256 bits of base64 or hex is longer. */
export const INTERNAL_SECRET_MIN_LENGTH = 32;

/** `typ` of the assertion's header: it is never an access token. */
const ASSERTION_TYPE = 'sportello-internal+jwt';
/** `aud` of every assertion. */
const AUDIENCE = 'sportello-internal';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: ASSERTION_TYPE })).toString('base64url');

/** Why an assertion was refused: `extensions.reason` of the 401. */
export type InternalAssertionRefusal =
  'INTERNAL_ASSERTION_REQUIRED' | 'INTERNAL_ASSERTION_INVALID' | 'INTERNAL_ASSERTION_EXPIRED';

/** An assertion that does not prove its request internal. */
export class InternalAssertionError extends Error {
  override readonly name = 'InternalAssertionError';
  constructor(
    readonly reason: InternalAssertionRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface InternalAssertionOptions {
  /** The deployment's `INTERNAL_SECRET`, shared by the gateway and every service. */
  secret: string;
  /** Who signs: `gateway`, or the service name (goes into `iss`, for logs). */
  caller: string;
  /** Lifetime of a signed assertion. @default 60 */
  ttlSeconds?: number;
  /** Clock skew accepted between processes. @default 5 */
  clockToleranceSeconds?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Signs assertions for outgoing calls and checks those of incoming ones. */
export interface InternalAssertions {
  /**
   * The assertion to send in {@link INTERNAL_ASSERTION_HEADER}. Reused until half its lifetime has
   * passed, so signing costs nothing on a hot path.
   */
  current(): string;
  /** Headers to add to an internal call. */
  headers(): Record<string, string>;
  /**
   * The caller named by a valid assertion.
   * @throws {InternalAssertionError} for a missing, forged, malformed or expired one.
   */
  verify(value: string | undefined): { caller: string };
}

/** How many verified assertions a checker remembers (a few callers, each renewing its own). */
const VERIFIED_KEPT = 64;

/** The longest lifetime an assertion may claim, whatever its signer says. */
const MAX_LIFETIME_SECONDS = 300;

/**
 * Internal assertions: compact JWS (HS256) over `{ iss, aud, iat, exp }`, signed with the
 * deployment's `INTERNAL_SECRET`. The gateway sends one on every subgraph fetch and every forwarded
 * HTTP request, services on their calls to each other; a service refuses anything else with 401,
 * whatever end-user token it carries, so the network cannot bypass the gateway's controls.
 *
 * An assertion says where a request comes from, not who the end user is: the user's access token
 * still travels in `Authorization` and is verified as before.
 */
export function createInternalAssertions(options: InternalAssertionOptions): InternalAssertions {
  if (options.secret.length < INTERNAL_SECRET_MIN_LENGTH) {
    throw new Error(`The internal secret must have at least ${INTERNAL_SECRET_MIN_LENGTH} characters`);
  }
  const key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  const ttl = options.ttlSeconds ?? 60;
  const tolerance = options.clockToleranceSeconds ?? 5;
  const now = options.now ?? Date.now;
  const sign = (input: string) => createHmac('sha256', key).update(input).digest();
  let cached: { value: string; renewAt: number } | undefined;
  /**
   * Assertions already verified, with their claims: a caller sends the same one for half its
   * lifetime, so each is checked once (its time bounds still at every use). Few callers, so few.
   */
  const verified = new Map<string, { caller: string; iat: number; exp: number }>();

  function current(): string {
    const at = now();
    if (cached && at < cached.renewAt) return cached.value;
    const iat = Math.floor(at / 1000);
    const payload = Buffer.from(
      JSON.stringify({ iss: options.caller, aud: AUDIENCE, iat, exp: iat + ttl }),
    ).toString('base64url');
    const input = `${HEADER}.${payload}`;
    cached = { value: `${input}.${sign(input).toString('base64url')}`, renewAt: at + (ttl * 1000) / 2 };
    return cached.value;
  }

  function verify(value: string | undefined): { caller: string } {
    if (value === undefined || value === '') {
      throw new InternalAssertionError(
        'INTERNAL_ASSERTION_REQUIRED',
        'This service answers only the Sportello gateway and services: call the public API instead',
      );
    }
    const known = verified.get(value);
    if (known !== undefined) return withinTime(known);
    const parts = value.split('.');
    const invalid = () =>
      new InternalAssertionError('INTERNAL_ASSERTION_INVALID', 'The internal assertion is not valid');
    if (parts.length !== 3 || parts[0] !== HEADER) throw invalid();
    const expected = sign(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let claims: { iss?: unknown; aud?: unknown; iat?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw invalid();
    }
    const { iss, aud, iat, exp } = claims;
    if (typeof iss !== 'string' || aud !== AUDIENCE || typeof iat !== 'number' || typeof exp !== 'number') {
      throw invalid();
    }
    if (exp - iat > MAX_LIFETIME_SECONDS) throw invalid();
    const checked = withinTime({ caller: iss, iat, exp });
    if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(value, { caller: iss, iat, exp });
    return checked;
  }

  /** The caller of a genuine assertion, if it is valid at this moment. */
  function withinTime(claims: { caller: string; iat: number; exp: number }): { caller: string } {
    const seconds = now() / 1000;
    if (claims.iat > seconds + tolerance) {
      throw new InternalAssertionError('INTERNAL_ASSERTION_INVALID', 'The internal assertion is not valid');
    }
    if (claims.exp < seconds - tolerance) {
      throw new InternalAssertionError('INTERNAL_ASSERTION_EXPIRED', 'The internal assertion has expired');
    }
    return { caller: claims.caller };
  }

  return {
    current,
    headers: () => ({ [INTERNAL_ASSERTION_HEADER]: current() }),
    verify,
  };
}
