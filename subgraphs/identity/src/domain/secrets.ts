import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters; stored with each hash so they can be raised without breaking old ones. */
const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32 } as const;

function scryptAsync(
  secret: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * A random secret for an API client: 32 bytes, base64url. Shown once at registration and never
 * stored in clear.
 */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Hashes a client secret as `scrypt$N$r$p$<salt>$<hash>` (base64url parts). */
export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Checks a presented secret against a stored hash in constant time; a malformed hash never matches. */
export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashText, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(saltText, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A one-time token (authorization codes, Telegram link tokens, email verification): 32 random
 * bytes in base64url, 43 characters of `A-Za-z0-9_-`, which also fits a Telegram deep-link payload.
 */
export function generateOneTimeToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * How one-time tokens are stored: a SHA-256 digest is enough for 256-bit random values (no
 * guessing to slow down), and a database leak then yields nothing usable.
 */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
