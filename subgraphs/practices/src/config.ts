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
  parseConfig,
  type BusKind,
  type DatabaseDriver,
  type Environment,
  type LogLevel,
} from '@sportello/platform';

/** Everything practices needs, typed; built by {@link loadPracticesConfig} or by hand in tests. */
export interface PracticesConfig {
  port: number;
  logLevel: LogLevel;
  /** The comune of anonymous requests that name none (`x-comune` header). */
  defaultComune: string;
  /** `url` is a file path (or `:memory:`) for SQLite, a server URL for PostgreSQL. */
  database: { driver: DatabaseDriver; url: string; postgresDatabase?: string };
  tokenIssuer: string;
  tokenAudience: string;
  jwksUrl: URL;
  /** Largest attachment accepted, in bytes. @default 10 MiB */
  attachmentMaxBytes: number;
  /** Time zone of office opening hours and of "the day before" for reminders. */
  timeZone: string;
  /** How often the reminder job looks for tomorrow's appointments; 0 disables it. */
  reminderIntervalMs: number;
  bus: { kind: BusKind; natsServers: string[] };
}

const envSchema = z
  .object({
    PORT: envPort(4004),
    LOG_LEVEL: envLogLevel(),
    BUS: envBus(),
    NATS_URL: envNatsUrl(),
    COMUNE: envComune('001272'),
    DATABASE_DRIVER: envDatabaseDriver(),
    DATABASE_URL: envDatabaseUrl('./data/practices.db'),
    TOKEN_ISSUER: envTokenIssuer('http://localhost:4001'),
    TOKEN_AUDIENCE: envTokenAudience('sportello'),
    JWKS_URL: envJwksUrl('http://localhost:4001/.well-known/jwks.json'),
    ATTACHMENT_MAX_BYTES: envInteger({ min: 1024, max: 50 * 1024 * 1024 }, 10 * 1024 * 1024),
    TIME_ZONE: envText('Europe/Rome').pipe(
      z.string().refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'expected an IANA time zone such as Europe/Rome'),
    ),
    REMINDER_INTERVAL_MS: envInteger({ min: 0, max: 24 * 3_600_000 }, 15 * 60_000),
  })
  .superRefine(checkDatabaseEnv);

/**
 * Reads practices' configuration from the environment.
 * @throws {ConfigError} listing every bad variable.
 */
export function loadPracticesConfig(env: Environment): PracticesConfig {
  const raw = parseConfig(envSchema, env, { app: 'practices' });
  return {
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    defaultComune: raw.COMUNE,
    database: { driver: raw.DATABASE_DRIVER, url: raw.DATABASE_URL },
    tokenIssuer: raw.TOKEN_ISSUER,
    tokenAudience: raw.TOKEN_AUDIENCE,
    jwksUrl: raw.JWKS_URL,
    attachmentMaxBytes: raw.ATTACHMENT_MAX_BYTES,
    timeZone: raw.TIME_ZONE,
    reminderIntervalMs: raw.REMINDER_INTERVAL_MS,
    bus: { kind: raw.BUS, natsServers: raw.NATS_URL },
  };
}
