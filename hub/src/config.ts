import { z } from 'zod';
import { gatewayEnvSchema } from '@sportello/gateway';
import { isKeyEncryptionKey, KEY_ENCRYPTION_KEY_FORMAT } from '@sportello/identity';
import {
  CORE_DEFAULTS,
  DEFAULT_PORTS,
  envBoolean,
  envComune,
  envInteger,
  envInternalSecret,
  envLogLevel,
  envNatsUrl,
  envPublicUrl,
  envSportelloMode,
  envText,
  envUrl,
  originOf,
  parseConfig,
  TRACING_ENV,
  tracingConfigOf,
  type Environment,
  type LogLevel,
  type SportelloMode,
  type TracingConfig,
} from '@sportello/platform';

/** The services the hub runs, in start order (identity first: the others verify its tokens). */
export { SERVICES, type ServiceName } from '@sportello/schema';

/** Prefix of the distributed mode's databases unless `POSTGRES_DATABASE_PREFIX` says otherwise. */
export const DEFAULT_DATABASE_PREFIX = 'sportello_';

/** Everything the hub needs, typed. */
export interface HubConfig {
  /**
   * `demo` (default): the demo comune is generated and seeded, development sign-in, sandboxed
   * channels. `production`: nothing of the demo; every secret and setting a deployment needs is
   * required, and the services refuse what is demo-only.
   */
  mode: SportelloMode;
  /**
   * The public origin (`PUBLIC_URL`): every link and the OIDC issuer are built on it, and only the
   * gateway answers there. `null`: the gateway's own address on this machine (demo).
   */
  publicUrl: string | null;
  /**
   * `INTERNAL_SECRET`, shared by the gateway and every service: services answer only calls signed
   * with it. `null`: the hub makes one up at each start (demo).
   */
  internalSecret: string | null;
  /** The comune's name (`COMUNE_NAME`), as citizens read it after "Comune di". */
  comuneName: string;
  /**
   * Production: the username of the first administrator (`STAFF_ADMIN_USERNAME`), who signs in
   * through the comune's staff provider and adds the other staff members.
   */
  staffAdminUsername: string | null;
  /**
   * The hub's own environment: each service gets the variables of it that it reads (its own
   * settings: SPID/CIE upstream, creditor, channels...), no others; the hub's choices win.
   */
  environment: Environment;
  /** Gateway port; the services listen on the next ports (identity PORT+1 ...), or on free ports when 0. */
  port: number;
  /** Interface the gateway binds to. */
  host: string;
  logLevel: LogLevel;
  /** Folder of the SQLite files, the mailbox and the sandbox of the embedded mode. */
  dataDir: string;
  /** ISTAT code of the comune (the demo's unless `COMUNE` says otherwise). */
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
    /**
     * The bot's username, which identity builds deep links on (`t.me/<username>?start=...`);
     * `null` until the hub asks Telegram (`getMe`) at start.
     */
    botUsername: string | null;
  } | null;
  /** The notifier's App IO service; `null` keeps IO messages in the sandbox folder. */
  io: { apiUrl: string; apiKey: string } | null;
  /** Households of the generated demo population (about 2.2 people each). */
  demoHouseholds: number;
  /** Distributed: how long a process may take to answer /health after it starts. */
  startTimeoutMs: number;
  /**
   * Whether the demo's citizens who use Telegram come with linked chats (fake ids): by default only
   * without a bot (the sandbox), where nobody could link one; `DEMO_TELEGRAM_CHATS=true` keeps them
   * with a bot of one's own that knows them (a test Bot API), `false` drops them.
   */
  demoTelegramChats: boolean;
  /**
   * Demo mode: whether the hub runs the demo SPID-like upstream (`DEMO_UPSTREAM`, on by default in
   * demo mode) and identity signs citizens and staff in through it, by the same upstream path as
   * production, instead of the development login. A set `UPSTREAM_OIDC_ISSUER` or
   * `STAFF_OIDC_ISSUER` still wins.
   */
  demoUpstream: boolean;
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
   * data cache, trusted documents...; `PORTAL_URL`; see the gateway README), as set in the hub's
   * environment; the hub hands them to its gateway in both modes. `GATEWAY_SUBGRAPHS` is the hub's.
   */
  gatewaySettings: Environment;
}

/** What the hub sets for its gateway itself; any other gateway variable passes through. */
const SET_BY_THE_HUB = new Set([
  'GATEWAY_SUBGRAPHS',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'SPORTELLO_MODE',
  'PUBLIC_URL',
  'INTERNAL_SECRET',
  'TOKEN_ISSUER',
  'TOKEN_AUDIENCE',
  'JWKS_URL',
  'BUS',
  'NATS_URL',
]);
/** The gateway variables a person may set for the hub's gateway (`GATEWAY_*`, `PORTAL_URL`...). */
const GATEWAY_SETTINGS = Object.keys(gatewayEnvSchema.shape).filter(
  (name) => !SET_BY_THE_HUB.has(name),
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
    SPORTELLO_MODE: envSportelloMode(),
    PUBLIC_URL: envPublicUrl().optional(),
    INTERNAL_SECRET: envInternalSecret(),
    PORT: envInteger({ min: 0, max: 65_535 }, DEFAULT_PORTS.gateway),
    HOST: envText('127.0.0.1'),
    // A person starting the demo wants the progress and the addresses, not every request: warn.
    LOG_LEVEL: envLogLevel('warn'),
    DATA_DIR: envText('./data'),
    COMUNE: envComune(CORE_DEFAULTS.comune),
    COMUNE_NAME: envText(CORE_DEFAULTS.comuneName),
    STAFF_ADMIN_USERNAME: envText('').pipe(
      z.string().regex(/^([a-z0-9._-]{2,64})?$/i, 'expected a username such as mario.rossi'),
    ),
    SMTP_HOST: envText(''),
    SMTP_PORT: envInteger({ min: 0, max: 65_535 }, 2525),
    TELEGRAM_BOT_TOKEN: envText(''),
    TELEGRAM_API_ROOT: envUrl(['http', 'https']).optional(),
    TELEGRAM_WEBHOOK_SECRET: envText(''),
    TELEGRAM_PUBLIC_CHANNEL: envText(''),
    TELEGRAM_BOT_USERNAME: envText('').pipe(
      z
        .string()
        .regex(/^([A-Za-z][A-Za-z0-9_]{3,31})?$/, "the bot's username without @, e.g. comune_genova_bot"),
    ),
    IO_API_URL: envUrl(['http', 'https'], 'https://api.io.pagopa.it'),
    IO_API_KEY: envText(''),
    DEMO_HOUSEHOLDS: envInteger({ min: 1, max: 200_000 }, 1200),
    HUB_START_TIMEOUT_SECONDS: envInteger({ min: 1, max: 3_600 }, 180),
    DEMO_TELEGRAM_CHATS: envBoolean().optional(),
    DEMO_UPSTREAM: envBoolean().optional(),
    POSTGRES_URL: envText('postgres://postgres@127.0.0.1:5432'),
    POSTGRES_DATABASE_PREFIX: envText(DEFAULT_DATABASE_PREFIX).pipe(
      z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'expected lower-case letters, digits and underscores'),
    ),
    NATS_URL: envNatsUrl(),
    TOKEN_AUDIENCE: envText(CORE_DEFAULTS.tokenAudience),
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
    if (env.SPORTELLO_MODE === 'production' && env.DEMO_UPSTREAM === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEMO_UPSTREAM'],
        message: 'demo mode only: in production set UPSTREAM_OIDC_* (SPID/CIE) and STAFF_OIDC_*',
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

/** The variables the hub itself reads. */
export const HUB_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Reads the hub's configuration.
 * @throws {ConfigError} naming every bad variable.
 */
export function loadHubConfig(env: Environment): HubConfig {
  const raw = parseConfig(envSchema, env, { app: 'hub' });
  parseConfig(gatewaySettingsSchema, env, { app: 'hub' });
  return {
    mode: raw.SPORTELLO_MODE,
    publicUrl: raw.PUBLIC_URL === undefined ? null : originOf(raw.PUBLIC_URL),
    internalSecret: raw.INTERNAL_SECRET ?? null,
    comuneName: raw.COMUNE_NAME,
    staffAdminUsername: raw.STAFF_ADMIN_USERNAME === '' ? null : raw.STAFF_ADMIN_USERNAME,
    environment: env,
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
            botUsername: raw.TELEGRAM_BOT_USERNAME === '' ? null : raw.TELEGRAM_BOT_USERNAME,
          },
    io: raw.IO_API_KEY === '' ? null : { apiUrl: raw.IO_API_URL, apiKey: raw.IO_API_KEY },
    demoHouseholds: raw.DEMO_HOUSEHOLDS,
    startTimeoutMs: raw.HUB_START_TIMEOUT_SECONDS * 1_000,
    demoTelegramChats: raw.DEMO_TELEGRAM_CHATS ?? raw.TELEGRAM_BOT_TOKEN === '',
    demoUpstream: raw.DEMO_UPSTREAM ?? raw.SPORTELLO_MODE === 'demo',
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
