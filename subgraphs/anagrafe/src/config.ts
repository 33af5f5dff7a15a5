import { z } from 'zod';
import {
  checkDatabaseEnv,
  envBoolean,
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
import { DEFAULT_REMINDER_OFFSETS } from './domain/identity-document.js';

/** Settings of the daily jobs (document reminders, silent approval of residence changes). */
export interface AnagrafeJobSettings {
  /** Days before expiry at which `document.expiring` is emitted. @default [180, 30, 7] */
  reminderOffsetsDays: number[];
  /** Documents that expired longer ago than this get no `document.expired` (old records). @default 30 */
  expiredNoticeLookbackDays: number;
  /** How often the scheduler runs the jobs; both are idempotent. `0` turns the scheduler off. @default 60 */
  intervalMinutes: number;
}

/** Everything anagrafe needs, typed; built by {@link loadAnagrafeConfig} or by hand in tests. */
export interface AnagrafeConfig {
  port: number;
  logLevel: LogLevel;
  /** The comune of anonymous requests that name none (`x-comune` header). */
  defaultComune: string;
  /** Display names of comuni by ISTAT code, printed on certificates. */
  comuneNames: Record<string, string>;
  /** `url` is a file path (or `:memory:`) for SQLite, a server URL for PostgreSQL. */
  database: { driver: DatabaseDriver; url: string; postgresDatabase?: string };
  tokenIssuer: string;
  tokenAudience: string;
  jwksUrl: URL;
  /** Public base URL of this service (certificate download links); `null` uses the request's Host. */
  publicUrl: string | null;
  /** Page a certificate's QR code opens, with `?code=<verification code>` appended. */
  certificateVerificationUrl: string;
  /** Whether every certificate issued online is exempt from stamp duty (comuni disagree). @default false */
  onlineCertificatesExempt: boolean;
  /** The comune's calendar: what "today" means for expiries and deadlines. @default Europe/Rome */
  timeZone: string;
  jobs: AnagrafeJobSettings;
  bus: { kind: BusKind; natsServers: string[] };
}

const offsetList = envText(DEFAULT_REMINDER_OFFSETS.join(',')).transform((raw, ctx) => {
  const parts = raw.split(',').map((part) => part.trim());
  const offsets = parts.map(Number);
  if (
    parts.length === 0 ||
    offsets.some((offset) => !Number.isInteger(offset) || offset < 0 || offset > 366)
  ) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected comma-separated whole days between 0 and 366, e.g. 180,30,7',
    });
    return z.NEVER;
  }
  return [...new Set(offsets)].sort((a, b) => b - a);
});

const envSchema = z
  .object({
    PORT: envPort(4002),
    LOG_LEVEL: envLogLevel(),
    BUS: envBus(),
    NATS_URL: envNatsUrl(),
    COMUNE: envComune('001272'),
    COMUNE_NAME: envText('Sportello'),
    DATABASE_DRIVER: envDatabaseDriver(),
    DATABASE_URL: envDatabaseUrl('./data/anagrafe.db'),
    TOKEN_ISSUER: envTokenIssuer('http://localhost:4001'),
    TOKEN_AUDIENCE: envTokenAudience('sportello'),
    JWKS_URL: envJwksUrl('http://localhost:4001/.well-known/jwks.json'),
    PUBLIC_URL: envUrl(['http', 'https']).optional(),
    CERTIFICATE_VERIFICATION_URL: envUrl(['http', 'https']).optional(),
    ONLINE_CERTIFICATES_EXEMPT: envBoolean(false),
    TIME_ZONE: envText('Europe/Rome').refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as Europe/Rome'),
    DOCUMENT_REMINDER_OFFSETS: offsetList,
    EXPIRED_NOTICE_LOOKBACK_DAYS: envInteger({ min: 0, max: 3650 }, 30),
    JOB_INTERVAL_MINUTES: envInteger({ min: 0, max: 24 * 60 }, 60),
  })
  .superRefine(checkDatabaseEnv);

/**
 * Reads anagrafe's configuration from the environment.
 *
 * @throws {ConfigError} listing every bad variable.
 */
export function loadAnagrafeConfig(env: Environment): AnagrafeConfig {
  const raw = parseConfig(envSchema, env, { app: 'anagrafe' });
  const publicUrl = raw.PUBLIC_URL === undefined ? null : String(raw.PUBLIC_URL).replace(/\/$/, '');
  return {
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    defaultComune: raw.COMUNE,
    comuneNames: { [raw.COMUNE]: raw.COMUNE_NAME },
    database: { driver: raw.DATABASE_DRIVER, url: raw.DATABASE_URL },
    tokenIssuer: raw.TOKEN_ISSUER,
    tokenAudience: raw.TOKEN_AUDIENCE,
    jwksUrl: raw.JWKS_URL,
    publicUrl,
    certificateVerificationUrl:
      raw.CERTIFICATE_VERIFICATION_URL === undefined
        ? `${publicUrl ?? `http://localhost:${raw.PORT}`}/certificates/verify`
        : String(raw.CERTIFICATE_VERIFICATION_URL),
    onlineCertificatesExempt: raw.ONLINE_CERTIFICATES_EXEMPT,
    timeZone: raw.TIME_ZONE,
    jobs: {
      reminderOffsetsDays: raw.DOCUMENT_REMINDER_OFFSETS,
      expiredNoticeLookbackDays: raw.EXPIRED_NOTICE_LOOKBACK_DAYS,
      intervalMinutes: raw.JOB_INTERVAL_MINUTES,
    },
    bus: { kind: raw.BUS, natsServers: raw.NATS_URL },
  };
}
