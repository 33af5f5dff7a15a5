import { z } from 'zod';
import { gatewayEnvSchema } from '@sportello/gateway';
import { isKeyEncryptionKey, KEY_ENCRYPTION_KEY_FORMAT } from '@sportello/identity';
import {
  envComune,
  envInteger,
  envLogLevel,
  envNatsUrl,
  envText,
  envUrl,
  parseConfig,
  TRACING_ENV,
  tracingConfigOf,
  type Environment,
  type LogLevel,
  type TracingConfig,
} from '@sportello/platform';

/** The services the hub runs, in start order (identity first: the others verify its tokens). */
export const SERVICES = [
  'identity',
  'anagrafe',
  'tributi',
  'practices',
  'civil-protection',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Prefix of the distributed mode's databases unless `POSTGRES_DATABASE_PREFIX` says otherwise. */
export const DEFAULT_DATABASE_PREFIX = 'sportello_';

/** Everything the hub needs, typed. */
export interface HubConfig {
  /** Gateway port; the services listen on the next ports (identity PORT+1 ...), or on free ports when 0. */
  port: number;
  /** Interface the gateway binds to. */
  host: string;
  logLevel: LogLevel;
  /** Folder of the SQLite files, the mailbox and the sandbox of the embedded mode. */
  dataDir: string;
  /** ISTAT code of the demo comune. */
  comune: string;
  /**
   * Where the notifier sends mail: a real SMTP server, or `null` for the hub's own mail catcher
   * listening on `port` (0 picks a free one).
   */
  smtp: { host: string | null; port: number };
  /** The notifier's Telegram bot; `null` keeps Telegram messages in the sandbox folder. */
  telegram: {
    botToken: string;
    /** Bot API base URL, for a Bot API server of one's own. */
    apiRoot: string | null;
    webhookSecret: string;
    /** The comune's public channel (`@name` or id) that public alerts are posted to. */
    publicChannel: string | null;
  } | null;
  /** The notifier's App IO service; `null` keeps IO messages in the sandbox folder. */
  io: { apiUrl: string; apiKey: string } | null;
  /** Households of the generated demo population (about 2.2 people each). */
  demoHouseholds: number;
  /** Distributed mode: PostgreSQL server and NATS. */
  postgresUrl: string;
  /** Distributed mode: each service's database is `<prefix><service>` (dashes become underscores). */
  postgresDatabasePrefix: string;
  natsServers: string[];
  /** `aud` of every access token; the gateway and all services agree on it. */
  tokenAudience: string;
  /**
   * Seals identity's signing keys in its database (`IDENTITY_KEY_ENCRYPTION_KEY`, 32 bytes in
   * base64). `null`: the hub generates one into `DATA_DIR` on first start.
   */
  identityKeyEncryptionKey: string | null;
  /**
   * Where spans go (`OTEL_*`): the embedded hub's one process as `serviceName`, each process of the
   * distributed hub as `sportello-<service>`.
   */
  tracing: TracingConfig;
  /**
   * The gateway's own settings (`GATEWAY_*` variables: limits, rate limits, introspection, public
   * data cache, trusted documents...; see the gateway README), as set in the hub's environment; the
   * hub hands them to its gateway in both modes. `GATEWAY_SUBGRAPHS` is the hub's to set.
   */
  gatewaySettings: Environment;
}

/** The `GATEWAY_*` variables a person may set for the hub's gateway. */
const GATEWAY_SETTINGS = Object.keys(gatewayEnvSchema.shape).filter(
  (name) => name.startsWith('GATEWAY_') && name !== 'GATEWAY_SUBGRAPHS',
) as Array<keyof typeof gatewayEnvSchema.shape>;
/** Checks them when the hub starts, so a bad value names the variable before any service starts. */
const gatewaySettingsSchema = gatewayEnvSchema.pick(
  Object.fromEntries(GATEWAY_SETTINGS.map((name) => [name, true])) as Record<
    (typeof GATEWAY_SETTINGS)[number],
    true
  >,
);

/** `service.name` of the embedded hub's one process, unless `OTEL_SERVICE_NAME` says otherwise. */
export const EMBEDDED_SERVICE_NAME = 'sportello-hub';

const envSchema = z
  .object({
    PORT: envInteger({ min: 0, max: 65_535 }, 4000),
    HOST: envText('127.0.0.1'),
    // A person starting the demo wants the progress and the addresses, not every request: warn.
    LOG_LEVEL: envLogLevel('warn'),
    DATA_DIR: envText('./data'),
    COMUNE: envComune('999001'),
    SMTP_HOST: envText(''),
    SMTP_PORT: envInteger({ min: 0, max: 65_535 }, 2525),
    TELEGRAM_BOT_TOKEN: envText(''),
    TELEGRAM_API_ROOT: envUrl(['http', 'https']).optional(),
    TELEGRAM_WEBHOOK_SECRET: envText(''),
    TELEGRAM_PUBLIC_CHANNEL: envText(''),
    IO_API_URL: envUrl(['http', 'https'], 'https://api.io.pagopa.it'),
    IO_API_KEY: envText(''),
    DEMO_HOUSEHOLDS: envInteger({ min: 1, max: 200_000 }, 1200),
    POSTGRES_URL: envText('postgres://postgres@127.0.0.1:5432'),
    POSTGRES_DATABASE_PREFIX: envText(DEFAULT_DATABASE_PREFIX).pipe(
      z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'expected lower-case letters, digits and underscores'),
    ),
    NATS_URL: envNatsUrl(),
    TOKEN_AUDIENCE: envText('sportello-api'),
    IDENTITY_KEY_ENCRYPTION_KEY: envText('').refine(
      (value) => value === '' || isKeyEncryptionKey(value),
      KEY_ENCRYPTION_KEY_FORMAT,
    ),
    ...TRACING_ENV,
  })
  .superRefine((env, ctx) => {
    // Checked here too, so a bad combination names the hub's variable before any service starts.
    if (env.TELEGRAM_BOT_TOKEN !== '' && !/^[A-Za-z0-9_-]{1,256}$/.test(env.TELEGRAM_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_SECRET'],
        message: 'required with a bot token: 1-256 characters of A-Za-z0-9_-',
      });
    }
    if (env.SMTP_HOST !== '' && env.SMTP_PORT === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_PORT'],
        message: 'the port of the SMTP server at SMTP_HOST',
      });
    }
  });

/**
 * Reads the hub's configuration.
 * @throws {ConfigError} naming every bad variable.
 */
export function loadHubConfig(env: Environment): HubConfig {
  const raw = parseConfig(envSchema, env, { app: 'hub' });
  parseConfig(gatewaySettingsSchema, env, { app: 'hub' });
  return {
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    dataDir: raw.DATA_DIR,
    comune: raw.COMUNE,
    smtp: { host: raw.SMTP_HOST === '' ? null : raw.SMTP_HOST, port: raw.SMTP_PORT },
    telegram:
      raw.TELEGRAM_BOT_TOKEN === ''
        ? null
        : {
            botToken: raw.TELEGRAM_BOT_TOKEN,
            apiRoot: raw.TELEGRAM_API_ROOT ?? null,
            webhookSecret: raw.TELEGRAM_WEBHOOK_SECRET,
            publicChannel: raw.TELEGRAM_PUBLIC_CHANNEL === '' ? null : raw.TELEGRAM_PUBLIC_CHANNEL,
          },
    io: raw.IO_API_KEY === '' ? null : { apiUrl: raw.IO_API_URL, apiKey: raw.IO_API_KEY },
    demoHouseholds: raw.DEMO_HOUSEHOLDS,
    postgresUrl: raw.POSTGRES_URL,
    postgresDatabasePrefix: raw.POSTGRES_DATABASE_PREFIX,
    natsServers: raw.NATS_URL,
    tokenAudience: raw.TOKEN_AUDIENCE,
    identityKeyEncryptionKey: raw.IDENTITY_KEY_ENCRYPTION_KEY === '' ? null : raw.IDENTITY_KEY_ENCRYPTION_KEY,
    tracing: tracingConfigOf(raw, EMBEDDED_SERVICE_NAME),
    gatewaySettings: Object.fromEntries(
      GATEWAY_SETTINGS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]),
    ),
  };
}
