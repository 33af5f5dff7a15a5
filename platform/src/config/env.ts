import { z } from 'zod';

/**
 * Zod pieces for the environment variables every Sportello app shares. Each takes the raw string
 * (unset is `undefined`), trims it, and fails with a reason that completes "PORT: expected ...".
 * A piece without a default makes its variable required.
 */

type Parsed<T> = { value: T } | undefined;

function envValue<T>(expected: string, parse: (raw: string) => Parsed<T>) {
  return z.string().transform((raw, ctx): T => {
    const parsed = parse(raw.trim());
    if (parsed === undefined) {
      ctx.issues.push({ code: 'custom', message: `expected ${expected}`, input: raw });
      return z.NEVER;
    }
    return parsed.value;
  });
}

function orDefault<T>(schema: z.ZodType<T, string>, fallback: T | undefined) {
  if (fallback === undefined) return schema;
  return schema.optional().transform((value): T => value ?? fallback);
}

/** An integer in `[min, max]`. */
export function envInteger(
  range: { min: number; max: number },
  fallback?: number,
): z.ZodType<number, string | undefined> {
  const expected = `an integer between ${range.min} and ${range.max}`;
  return orDefault(
    envValue(expected, (raw) => {
      if (!/^-?\d+$/.test(raw)) return undefined;
      const value = Number(raw);
      return value >= range.min && value <= range.max ? { value } : undefined;
    }),
    fallback,
  );
}

/** A decimal number in `[0, 1]`, e.g. a sampling ratio (`0.25`). */
export function envRatio(fallback?: number): z.ZodType<number, string | undefined> {
  return orDefault(
    envValue('a number between 0 and 1', (raw) => {
      if (!/^(0|1|0?\.\d+|1\.0*)$/.test(raw)) return undefined;
      return { value: Number(raw) };
    }),
    fallback,
  );
}

/** A TCP port, `1..65535`. */
export function envPort(fallback?: number): z.ZodType<number, string | undefined> {
  return envInteger({ min: 1, max: 65535 }, fallback);
}

/**
 * A strict boolean: only `true`, `false`, `1` or `0` (any case). `yes`, `on` or a typo fail instead
 * of silently meaning false.
 */
export function envBoolean(fallback?: boolean): z.ZodType<boolean, string | undefined> {
  return orDefault(
    envValue('true, false, 1 or 0', (raw) => {
      const lower = raw.toLowerCase();
      if (lower === 'true' || lower === '1') return { value: true };
      if (lower === 'false' || lower === '0') return { value: false };
      return undefined;
    }),
    fallback,
  );
}

/** One of a fixed list of words (case-sensitive, as documented). */
export function envEnum<const Values extends readonly [string, ...string[]]>(
  values: Values,
  fallback?: Values[number],
): z.ZodType<Values[number], string | undefined> {
  return orDefault(
    envValue(`one of ${values.join(', ')}`, (raw) =>
      (values as readonly string[]).includes(raw) ? { value: raw as Values[number] } : undefined,
    ),
    fallback,
  );
}

/** An absolute URL whose scheme is one of `protocols` (without the colon); kept as written. */
export function envUrl(
  protocols: readonly string[] = ['http', 'https'],
  fallback?: string,
): z.ZodType<string, string | undefined> {
  const expected = `a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`;
  return orDefault(
    envValue(expected, (raw) => {
      if (!URL.canParse(raw)) return undefined;
      return protocols.includes(new URL(raw).protocol.slice(0, -1)) ? { value: raw } : undefined;
    }),
    fallback,
  );
}

/** A non-empty string (after trimming). */
export function envText(fallback?: string): z.ZodType<string, string | undefined> {
  return orDefault(
    envValue('a non-empty value', (raw) => (raw.length > 0 ? { value: raw } : undefined)),
    fallback,
  );
}

/** Pino log levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `LOG_LEVEL`: one of {@link LOG_LEVELS}. @default 'info' */
export function envLogLevel(fallback: LogLevel = 'info') {
  return envEnum(LOG_LEVELS, fallback);
}

/** Storage engines: SQLite files (embedded mode) or PostgreSQL (distributed mode). */
export const DATABASE_DRIVERS = ['sqlite', 'postgresql'] as const;
export type DatabaseDriver = (typeof DATABASE_DRIVERS)[number];

/** `DATABASE_DRIVER`: one of {@link DATABASE_DRIVERS}. @default 'sqlite' */
export function envDatabaseDriver(fallback: DatabaseDriver = 'sqlite') {
  return envEnum(DATABASE_DRIVERS, fallback);
}

/**
 * `DATABASE_URL`: a `postgres://` / `postgresql://` URL, or for SQLite a file path (or `:memory:`).
 * Pair it with {@link checkDatabaseEnv} so a file path given to the PostgreSQL driver is reported.
 */
export function envDatabaseUrl(fallback?: string) {
  return envText(fallback);
}

/**
 * Cross-checks `DATABASE_DRIVER` against `DATABASE_URL`; use as
 * `z.object({ DATABASE_DRIVER: envDatabaseDriver(), DATABASE_URL: envDatabaseUrl('./data/x.db') }).superRefine(checkDatabaseEnv)`.
 */
export function checkDatabaseEnv(
  value: { DATABASE_DRIVER: DatabaseDriver; DATABASE_URL: string },
  ctx: z.RefinementCtx,
): void {
  const isPostgresUrl = /^postgres(ql)?:\/\//i.test(value.DATABASE_URL);
  if (value.DATABASE_DRIVER === 'postgresql' && !isPostgresUrl) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_URL'],
      message: 'expected a postgres:// or postgresql:// URL when DATABASE_DRIVER is postgresql',
    });
  }
  if (value.DATABASE_DRIVER === 'sqlite' && isPostgresUrl) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_URL'],
      message:
        'expected a file path when DATABASE_DRIVER is sqlite (set DATABASE_DRIVER=postgresql for this URL)',
    });
  }
}

/** `NATS_URL`: one or more comma-separated `nats://` (or `tls://`) server URLs. @default 'nats://127.0.0.1:4222' */
export function envNatsUrl(fallback = 'nats://127.0.0.1:4222'): z.ZodType<string[], string | undefined> {
  const servers = envValue('comma-separated URLs starting with nats:// or tls://', (raw) => {
    const list = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    const valid = list.every(
      (entry) => URL.canParse(entry) && ['nats:', 'tls:'].includes(new URL(entry).protocol),
    );
    return list.length > 0 && valid ? { value: list } : undefined;
  });
  return servers.optional().transform((value) => value ?? fallback.split(','));
}

/** Event bus adapters: in-process (embedded mode) or NATS JetStream (distributed mode). */
export const BUS_KINDS = ['inprocess', 'nats'] as const;
export type BusKind = (typeof BUS_KINDS)[number];

/** `BUS`: one of {@link BUS_KINDS}. @default 'inprocess' */
export function envBus(fallback: BusKind = 'inprocess') {
  return envEnum(BUS_KINDS, fallback);
}

/** A comune's 6-digit ISTAT code, e.g. `058091` (Roma). */
export function envComune(fallback?: string): z.ZodType<string, string | undefined> {
  return orDefault(
    envValue('a 6-digit ISTAT code such as 058091', (raw) =>
      /^\d{6}$/.test(raw) ? { value: raw } : undefined,
    ),
    fallback,
  );
}

/** `TOKEN_ISSUER`: the `iss` every access token must carry, an http(s) URL kept exactly as written. */
export function envTokenIssuer(fallback?: string) {
  return envUrl(['http', 'https'], fallback);
}

/** `TOKEN_AUDIENCE`: the `aud` every access token must carry. */
export function envTokenAudience(fallback?: string) {
  return envText(fallback);
}

/** `JWKS_URL`: where the identity service publishes its signing keys. */
export function envJwksUrl(fallback?: string): z.ZodType<URL, string | undefined> {
  return envUrl(['http', 'https'], fallback).transform((value) => new URL(value));
}

/**
 * How the deployment presents itself: `demo` offers the development login and sandboxed channels,
 * `production` requires real identity providers and credentials.
 */
export const SPORTELLO_MODES = ['demo', 'production'] as const;
export type SportelloMode = (typeof SPORTELLO_MODES)[number];

/** `SPORTELLO_MODE`: one of {@link SPORTELLO_MODES}. @default 'demo' */
export function envSportelloMode(fallback: SportelloMode = 'demo') {
  return envEnum(SPORTELLO_MODES, fallback);
}

/** An IANA time zone, e.g. `Europe/Rome` (the comune's calendar). @default 'Europe/Rome' */
export function envTimeZone(fallback = 'Europe/Rome'): z.ZodType<string, string | undefined> {
  return orDefault(
    envValue('an IANA time zone such as Europe/Rome', (raw) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: raw });
        return { value: raw };
      } catch {
        return undefined;
      }
    }),
    fallback,
  );
}
