import { z } from 'zod';
import {
  checkDatabaseEnv,
  envBus,
  envComune,
  envDatabaseDriver,
  envDatabaseUrl,
  envInteger,
  envJwksUrl,
  envLogLevel,
  envNatsUrl,
  envPort,
  envText,
  envTokenAudience,
  envTokenIssuer,
  envUrl,
  parseConfig,
  type BusKind,
  type DatabaseDriver,
  type Environment,
  type LogLevel,
} from '@sportello/platform';

/** Everything civil-protection needs, typed; built by {@link loadCivilProtectionConfig} or by hand in tests. */
export interface CivilProtectionConfig {
  port: number;
  logLevel: LogLevel;
  /** The comune of anonymous requests that name none (`x-comune` header, `comune` query parameter). */
  defaultComune: string;
  /** Display names of comuni by ISTAT code (feeds say "Comune di <name>"); unknown ones show the code. */
  comuneNames: Record<string, string>;
  /** `url` is a file path (or `:memory:`) for SQLite, a server URL for PostgreSQL. */
  database: { driver: DatabaseDriver; url: string; postgresDatabase?: string };
  /** Expected `iss` and `aud` of access tokens. */
  tokenIssuer: string;
  tokenAudience: string;
  /** Where the issuer publishes its keys. */
  jwksUrl: URL;
  /** Public base URL of this service for feed links; `null` uses the request's Host. */
  publicUrl: string | null;
  /** Domain of the CAP sender address: `protezione-civile.<istat>@<domain>`. */
  capSenderDomain: string;
  /** The bus `main.ts` connects to when the service runs as its own process. */
  bus: { kind: BusKind; natsServers: string[] };
  /**
   * How long CDNs and clients may keep a feed (`max-age`, and as long again
   * `stale-while-revalidate`), in seconds; the gateway's bound for public data.
   * @default 5
   */
  feedMaxAgeSeconds?: number;
}

const envSchema = z
  .object({
    PORT: envPort(4005),
    LOG_LEVEL: envLogLevel(),
    BUS: envBus(),
    NATS_URL: envNatsUrl(),
    COMUNE: envComune('001272'),
    COMUNE_NAME: envText('Sportello'),
    DATABASE_DRIVER: envDatabaseDriver(),
    DATABASE_URL: envDatabaseUrl('./data/civil-protection.db'),
    TOKEN_ISSUER: envTokenIssuer('http://localhost:4001'),
    TOKEN_AUDIENCE: envTokenAudience('sportello'),
    JWKS_URL: envJwksUrl('http://localhost:4001/.well-known/jwks.json'),
    PUBLIC_URL: envUrl(['http', 'https']).optional(),
    FEED_MAX_AGE_SECONDS: envInteger({ min: 1, max: 3_600 }, 5),
    CAP_SENDER_DOMAIN: envText('sportello.example').pipe(
      z.string().regex(/^[a-z0-9.-]+$/i, 'expected a domain name such as comune.example.it'),
    ),
  })
  .superRefine(checkDatabaseEnv);

/**
 * Reads civil-protection's configuration from the environment.
 *
 * @throws {ConfigError} listing every bad variable.
 */
export function loadCivilProtectionConfig(env: Environment): CivilProtectionConfig {
  const raw = parseConfig(envSchema, env, { app: 'civil-protection' });
  return {
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    defaultComune: raw.COMUNE,
    comuneNames: { [raw.COMUNE]: raw.COMUNE_NAME },
    database: { driver: raw.DATABASE_DRIVER, url: raw.DATABASE_URL },
    tokenIssuer: raw.TOKEN_ISSUER,
    tokenAudience: raw.TOKEN_AUDIENCE,
    jwksUrl: raw.JWKS_URL,
    publicUrl: raw.PUBLIC_URL ?? null,
    capSenderDomain: raw.CAP_SENDER_DOMAIN,
    bus: { kind: raw.BUS, natsServers: raw.NATS_URL },
    feedMaxAgeSeconds: raw.FEED_MAX_AGE_SECONDS,
  };
}
