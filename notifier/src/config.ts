import { z } from 'zod';
import {
  defineServiceConfig,
  type ServiceConfigDefinition,
  envBoolean,
  envInteger,
  envPort,
  envText,
  envUrl,
  type ServiceCoreConfig,
} from '@sportello/platform';

/** SMTP settings; `null` in the config means email goes to the sandbox folder. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  ignoreTls: boolean;
  auth?: { user: string; pass: string };
  from: string;
  ratePerSecond: number;
  /**
   * SMTP connections kept for alerts alone, on top of the pool every lane shares: an alert never
   * waits for a connection busy with a billing run's mail. @default 1
   */
  criticalConnections?: number;
}

/** Telegram settings; `null` means the sandbox. */
export interface TelegramSettings {
  token: string;
  apiRoot?: string;
  /** Secret of the webhook (`X-Telegram-Bot-Api-Secret-Token`). */
  webhookSecret: string;
  /**
   * Where Telegram calls with updates (the gateway forwards `<PUBLIC_URL>/telegram/webhook` here);
   * `null` long-polls instead (development, or a public origin Telegram cannot call).
   */
  webhookUrl: string | null;
  /** The comune's public channel (`@name` or id) for public alerts; `null`: no public posts. */
  publicChannel: string | null;
  ratePerSecond: number;
  ratePerChatPerSecond: number;
}

/** App IO settings; `null` means the sandbox. */
export interface IoSettings {
  baseUrl: string;
  apiKey: string;
  ratePerSecond: number;
}

/** Everything the notifier needs, typed; built by {@link loadNotifierConfig} or by hand in tests. */
/**
 * Everything the notifier needs, typed; built by {@link loadNotifierConfig} or by hand in tests.
 * `comuneNames` holds each comune's plain name: messages say "Comune di <name>".
 */
export interface NotifierConfig extends ServiceCoreConfig {
  /** Durable consumer and inbox name. @default 'notifier' */
  consumerName: string;
  /** How the notifier consumes the bus. */
  consumer: {
    /** How soon the events a dead notifier held are handed out again (renewed while it lives). */
    ackWaitMs: number;
    /** Critical and interactive events planned at once, per lane. */
    concurrency: number;
    /** Bulk events planned at once: fewer, so reminders and billing runs leave room. */
    bulkConcurrency: number;
  };
  /** Identity's base URL: token endpoint and contact points. */
  identityUrl: string;
  /** Anagrafe's base URL: residents of zones. */
  anagrafeUrl: string;
  /** Secret of the `sportello-notifier` internal client at identity. */
  clientSecret: string;
  /**
   * Base of the portal links in messages: `<PUBLIC_URL>/portale`, which the gateway sends on to the
   * comune's portal (a hub setting), so links never change when the portal does.
   */
  portalUrl: string;
  /** Where citizens manage their preferences (footer, List-Unsubscribe): `<PUBLIC_URL>/portale/preferenze`. */
  preferencesUrl: string;
  smtp: SmtpSettings | null;
  telegram: TelegramSettings | null;
  io: IoSettings | null;
  /** Folder of the sandbox channels (`<folder>/<channel>/*.json`). */
  sandboxDir: string;
  dispatch: {
    batchSize: number;
    concurrency: number;
    leaseMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    pollIntervalMs: number;
    /** How often expired leases of dead dispatchers are recovered. */
    recoverIntervalMs: number;
    /**
     * How often an idle dispatcher looks for work it was not told of (another replica's, on a shared
     * database): `NOTIFIER_SAFETY_POLL_SECONDS`. @default 20000
     */
    safetyPollMs?: number;
  };
  /** At most one `delivery.stats-changed` per event in this interval. */
  statsThrottleMs: number;
}

/** The demo notifier secret identity accepts in demo mode (see identity's DEMO_INTERNAL_CLIENTS). */
const DEMO_CLIENT_SECRET = 'demo-notifier-secret';

/**
 * The environment variables the notifier reads (the hub hands each service those of its own, no others),
 * and the reading of its configuration from them.
 */
export const {
  variables: NOTIFIER_ENV_VARIABLES,
  load: loadNotifierConfig,
}: ServiceConfigDefinition<NotifierConfig> = defineServiceConfig(
  'notifier',
  {
    NOTIFIER_CONSUMER: envText('notifier').pipe(
      z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - and _'),
    ),
    NOTIFIER_ACK_WAIT_SECONDS: envInteger({ min: 2, max: 600 }, 10),
    NOTIFIER_CONCURRENCY: envInteger({ min: 1, max: 64 }, 4),
    NOTIFIER_BULK_CONCURRENCY: envInteger({ min: 1, max: 64 }, 2),
    NOTIFIER_SAFETY_POLL_SECONDS: envInteger({ min: 1, max: 3600 }, 20),
    IDENTITY_URL: envUrl(['http', 'https'], 'http://127.0.0.1:4001'),
    ANAGRAFE_URL: envUrl(['http', 'https'], 'http://127.0.0.1:4002'),
    NOTIFIER_CLIENT_SECRET: envText(''),
    SMTP_HOST: envText(''),
    SMTP_PORT: envPort(587),
    SMTP_SECURE: envBoolean(false),
    SMTP_IGNORE_TLS: envBoolean(false),
    SMTP_USER: envText(''),
    SMTP_PASSWORD: envText(''),
    SMTP_FROM: envText('"Sportello" <noreply@sportello.example>'),
    SMTP_RATE_PER_SECOND: envInteger({ min: 1, max: 10_000 }, 20),
    SMTP_CRITICAL_CONNECTIONS: envInteger({ min: 0, max: 16 }, 1),
    TELEGRAM_BOT_TOKEN: envText(''),
    TELEGRAM_API_ROOT: envUrl(['http', 'https']).optional(),
    TELEGRAM_WEBHOOK_SECRET: envText(''),
    TELEGRAM_WEBHOOK_URL: envUrl(['https', 'http']).optional(),
    TELEGRAM_PUBLIC_CHANNEL: envText(''),
    TELEGRAM_RATE_PER_SECOND: envInteger({ min: 1, max: 1000 }, 30),
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: envInteger({ min: 1, max: 100 }, 1),
    IO_API_URL: envUrl(['http', 'https'], 'https://api.io.pagopa.it'),
    IO_API_KEY: envText(''),
    IO_RATE_PER_SECOND: envInteger({ min: 1, max: 10_000 }, 50),
    SANDBOX_DIR: envText('./data/sandbox'),
    DISPATCH_BATCH_SIZE: envInteger({ min: 1, max: 5000 }, 200),
    DISPATCH_CONCURRENCY: envInteger({ min: 1, max: 500 }, 16),
    DELIVERY_LEASE_SECONDS: envInteger({ min: 3, max: 3600 }, 10),
    DELIVERY_MAX_ATTEMPTS: envInteger({ min: 1, max: 50 }, 8),
    RETRY_BASE_MS: envInteger({ min: 10, max: 600_000 }, 2000),
    RETRY_MAX_MS: envInteger({ min: 100, max: 86_400_000 }, 3_600_000),
    STATS_THROTTLE_MS: envInteger({ min: 50, max: 60_000 }, 500),
  },
  {
    check(env, ctx) {
      if (env.SPORTELLO_MODE === 'production' && env.NOTIFIER_CLIENT_SECRET === '') {
        ctx.addIssue({ code: 'custom', path: ['NOTIFIER_CLIENT_SECRET'], message: 'required in production' });
      }
      if (env.TELEGRAM_BOT_TOKEN !== '' && !/^[A-Za-z0-9_-]{1,256}$/.test(env.TELEGRAM_WEBHOOK_SECRET)) {
        ctx.addIssue({
          code: 'custom',
          path: ['TELEGRAM_WEBHOOK_SECRET'],
          message: 'required with a bot token: 1-256 characters of A-Za-z0-9_-',
        });
      }
      if (env.SMTP_HOST === '' && env.SPORTELLO_MODE === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['SMTP_HOST'],
          message: 'required in production: the SMTP server email goes out through',
        });
      }
      if (env.IO_API_KEY === '' && env.SPORTELLO_MODE === 'production') {
        ctx.addIssue({ code: 'custom', path: ['IO_API_KEY'], message: 'required in production' });
      }
    },
    build: (raw, core) => ({
      consumerName: raw.NOTIFIER_CONSUMER,
      consumer: {
        ackWaitMs: raw.NOTIFIER_ACK_WAIT_SECONDS * 1000,
        concurrency: raw.NOTIFIER_CONCURRENCY,
        bulkConcurrency: raw.NOTIFIER_BULK_CONCURRENCY,
      },
      identityUrl: raw.IDENTITY_URL,
      anagrafeUrl: raw.ANAGRAFE_URL,
      clientSecret: raw.NOTIFIER_CLIENT_SECRET === '' ? DEMO_CLIENT_SECRET : raw.NOTIFIER_CLIENT_SECRET,
      portalUrl: `${core.publicUrl}/portale`,
      preferencesUrl: `${core.publicUrl}/portale/preferenze`,
      smtp:
        raw.SMTP_HOST === ''
          ? null
          : {
              host: raw.SMTP_HOST,
              port: raw.SMTP_PORT,
              secure: raw.SMTP_SECURE,
              ignoreTls: raw.SMTP_IGNORE_TLS,
              ...(raw.SMTP_USER !== '' ? { auth: { user: raw.SMTP_USER, pass: raw.SMTP_PASSWORD } } : {}),
              from: raw.SMTP_FROM,
              ratePerSecond: raw.SMTP_RATE_PER_SECOND,
              criticalConnections: raw.SMTP_CRITICAL_CONNECTIONS,
            },
      telegram:
        raw.TELEGRAM_BOT_TOKEN === ''
          ? null
          : {
              token: raw.TELEGRAM_BOT_TOKEN,
              ...(raw.TELEGRAM_API_ROOT ? { apiRoot: raw.TELEGRAM_API_ROOT } : {}),
              webhookSecret: raw.TELEGRAM_WEBHOOK_SECRET,
              // Telegram calls only HTTPS: a public origin it can reach gets the webhook by default.
              webhookUrl:
                raw.TELEGRAM_WEBHOOK_URL ??
                (core.publicUrl.startsWith('https://') ? `${core.publicUrl}/telegram/webhook` : null),
              publicChannel: raw.TELEGRAM_PUBLIC_CHANNEL === '' ? null : raw.TELEGRAM_PUBLIC_CHANNEL,
              ratePerSecond: raw.TELEGRAM_RATE_PER_SECOND,
              ratePerChatPerSecond: raw.TELEGRAM_RATE_PER_CHAT_PER_SECOND,
            },
      io:
        raw.IO_API_KEY === ''
          ? null
          : { baseUrl: raw.IO_API_URL, apiKey: raw.IO_API_KEY, ratePerSecond: raw.IO_RATE_PER_SECOND },
      sandboxDir: raw.SANDBOX_DIR,
      dispatch: {
        batchSize: raw.DISPATCH_BATCH_SIZE,
        concurrency: raw.DISPATCH_CONCURRENCY,
        leaseMs: raw.DELIVERY_LEASE_SECONDS * 1000,
        maxAttempts: raw.DELIVERY_MAX_ATTEMPTS,
        retryBaseMs: raw.RETRY_BASE_MS,
        retryMaxMs: raw.RETRY_MAX_MS,
        pollIntervalMs: 1000,
        recoverIntervalMs: 2_000,
        safetyPollMs: raw.NOTIFIER_SAFETY_POLL_SECONDS * 1000,
      },
      statsThrottleMs: raw.STATS_THROTTLE_MS,
    }),
  },
);
