import { createHmac } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ANAGRAFE_ENV_VARIABLES } from '@sportello/anagrafe';
import { CIVIL_PROTECTION_ENV_VARIABLES } from '@sportello/civil-protection';
import { IDENTITY_ENV_VARIABLES } from '@sportello/identity';
import { NOTIFIER_ENV_VARIABLES } from '@sportello/notifier';
import { PRACTICES_ENV_VARIABLES } from '@sportello/practices';
import { TRIBUTI_ENV_VARIABLES } from '@sportello/tributi';
import { ConfigError, type Environment } from '@sportello/platform';
import { DEFAULT_DATABASE_PREFIX, SERVICES, type HubConfig, type ServiceName } from './config.js';
import type { DemoUpstreamSettings } from './demo-upstream.js';

/** The variables each service reads: it gets the hub's values of those, and of no others. */
/** Queries and mutations the embedded hub's gateway executes at once, unless set otherwise. */
export const EMBEDDED_CONCURRENT_OPERATIONS = 8;

export const SERVICE_VARIABLES: Record<ServiceName, readonly string[]> = {
  identity: IDENTITY_ENV_VARIABLES,
  anagrafe: ANAGRAFE_ENV_VARIABLES,
  tributi: TRIBUTI_ENV_VARIABLES,
  practices: PRACTICES_ENV_VARIABLES,
  'civil-protection': CIVIL_PROTECTION_ENV_VARIABLES,
  notifier: NOTIFIER_ENV_VARIABLES,
};

export type RunMode = 'embedded' | 'distributed';

/** Where each part of the hub listens. */
export interface Topology {
  mode: RunMode;
  gatewayPort: number;
  ports: Record<ServiceName, number>;
  /** Base URL of a service, e.g. `http://127.0.0.1:4001`. */
  baseUrl(service: ServiceName): string;
  /**
   * The public origin, the gateway's: `PUBLIC_URL`, or the gateway's address on this machine in a
   * demo. `null` only in production without `PUBLIC_URL` (the start then refuses, naming it).
   */
  publicUrl: string | null;
  /** `iss` of access tokens: the public origin (the gateway forwards identity's OIDC routes). */
  issuer: string;
  /** Identity's keys on its private port, for the services and the gateway. */
  jwksUrl: string;
  /** Where the notifier sends mail: the configured SMTP server, or the hub's mail catcher. */
  /** `null` in production without `SMTP_HOST` (the start then refuses, naming it). */
  smtp: { host: string; port: number; catcher: boolean } | null;
  /** Where identity may send staff back after signing in to the dashboard the gateway serves. */
  dashboardRedirectUris: string[];
  /**
   * Whether the demo's linked Telegram chats are seeded: fake ids, for the sandbox folder (no bot
   * token) or a test Bot API that knows them (`DEMO_TELEGRAM_CHATS`); a real bot would write to them
   * and unlink them.
   */
  demoTelegramChats: boolean;
  /** The demo SPID-like upstream identity signs people in through (`DEMO_UPSTREAM`), when running. */
  demoUpstream: DemoUpstreamSettings | null;
}

/**
 * Lays the services out on the ports after the gateway's (identity on PORT+1, anagrafe PORT+2...).
 * With PORT=0 the caller passes the free ports it reserved; without an SMTP server configured, the
 * port its mail catcher listens on.
 * @throws Error when neither an SMTP server nor a mail catcher is there to send mail to.
 */
export function planTopology(
  config: HubConfig,
  mode: RunMode,
  options: {
    reserved?: number[] | undefined;
    mailCatcherPort?: number | undefined;
    demoUpstream?: DemoUpstreamSettings | undefined;
  },
): Topology {
  const smtp =
    config.smtp.host !== null
      ? { host: config.smtp.host, port: config.smtp.port, catcher: false }
      : options.mailCatcherPort !== undefined
        ? { host: '127.0.0.1', port: options.mailCatcherPort, catcher: true }
        : null;
  if (smtp === null && config.mode === 'demo') {
    throw new Error('no SMTP_HOST is configured: start the mail catcher first');
  }
  const reserved = options.reserved;
  const ports = Object.fromEntries(
    SERVICES.map((service, i) => [service, reserved?.[i + 1] ?? config.port + i + 1]),
  ) as Record<ServiceName, number>;
  const baseUrl = (service: ServiceName) => `http://127.0.0.1:${ports[service]}`;
  const gatewayPort = reserved?.[0] ?? config.port;
  const publicUrl = config.publicUrl ?? (config.mode === 'demo' ? `http://127.0.0.1:${gatewayPort}` : null);
  return {
    mode,
    gatewayPort,
    ports,
    baseUrl,
    publicUrl,
    issuer: publicUrl ?? `http://127.0.0.1:${gatewayPort}`,
    jwksUrl: `${baseUrl('identity')}/.well-known/jwks.json`,
    smtp,
    dashboardRedirectUris: [
      ...(publicUrl === null ? [] : [`${publicUrl}/dashboard/callback`]),
      // In a demo, the same gateway as a browser on this machine may name it.
      ...(config.mode === 'demo'
        ? ['127.0.0.1', 'localhost'].map((host) => `http://${host}:${gatewayPort}/dashboard/callback`)
        : []),
    ].filter((uri, i, all) => all.indexOf(uri) === i),
    demoTelegramChats: config.demoTelegramChats,
    demoUpstream: options.demoUpstream ?? null,
  };
}

/**
 * The environment a service reads in either mode: the embedded hub hands it to the service's own
 * config loader, the distributed launcher to the service's process. One mapping, so both modes
 * configure services the same way.
 */
export function serviceEnvironment(
  service: ServiceName | 'gateway',
  config: HubConfig,
  topology: Topology,
): Environment {
  const distributed = topology.mode === 'distributed';
  const common: Environment = {
    SPORTELLO_MODE: config.mode,
    LOG_LEVEL: config.logLevel,
    TOKEN_ISSUER: topology.issuer,
    TOKEN_AUDIENCE: config.tokenAudience,
    JWKS_URL: topology.jwksUrl,
    BUS: distributed ? 'nats' : 'inprocess',
    NATS_URL: config.natsServers.join(','),
    // Left out in production when missing: the services' own checks name them.
    ...(topology.publicUrl === null ? {} : { PUBLIC_URL: topology.publicUrl }),
    ...(config.internalSecret === null ? {} : { INTERNAL_SECRET: config.internalSecret }),
    ...tracingEnvironment(service, config),
  };
  if (service === 'gateway') {
    return {
      ...config.gatewaySettings,
      ...common,
      // One gateway in the embedded hub: no other replica to share rate-limit usage with.
      ...(distributed || config.gatewaySettings['GATEWAY_RATE_LIMIT_SYNC_MS'] !== undefined
        ? {}
        : { GATEWAY_RATE_LIMIT_SYNC_MS: '0' }),
      // Every service shares the embedded gateway's event loop: a few operations at a time keep
      // each of them, and the live updates beside them, short under a burst (see the gateway README).
      ...(distributed || config.gatewaySettings['GATEWAY_MAX_CONCURRENT_OPERATIONS'] !== undefined
        ? {}
        : { GATEWAY_MAX_CONCURRENT_OPERATIONS: String(EMBEDDED_CONCURRENT_OPERATIONS) }),
      PORT: String(topology.gatewayPort),
      HOST: config.host,
      GATEWAY_SUBGRAPHS: SERVICES.map((name) => `${name}=${topology.baseUrl(name)}/graphql`).join(','),
    };
  }
  const own = Object.fromEntries(
    SERVICE_VARIABLES[service]
      .filter((name) => config.environment[name] !== undefined && config.environment[name] !== '')
      .map((name) => [name, config.environment[name]]),
  );
  return {
    // The operator's settings of this service (its upstream provider, creditor, channels...) ...
    ...own,
    // ... under the deployment's, which the hub decides for every service alike.
    ...common,
    COMUNE: config.comune,
    COMUNE_NAME: config.comuneName,
    PORT: String(topology.ports[service]),
    // Behind the gateway, never on the network.
    HOST: '127.0.0.1',
    DATABASE_DRIVER: distributed ? 'postgresql' : 'sqlite',
    DATABASE_URL: distributed
      ? postgresDatabaseUrl(config, service)
      : resolve(join(config.dataDir, `${service}.db`)),
    ...(service === 'identity'
      ? // Anagrafe answers whose child a minor is when a parent's delegation is recorded.
        {
          ...identityEnvironment(config),
          ...demoUpstreamEnvironment(config, topology),
          ANAGRAFE_URL: topology.baseUrl('anagrafe'),
        }
      : {}),
    ...(service === 'notifier'
      ? {
          IDENTITY_URL: topology.baseUrl('identity'),
          ANAGRAFE_URL: topology.baseUrl('anagrafe'),
          ...notifierChannels(config, topology),
          SMTP_FROM: own['SMTP_FROM'] ?? `"Comune di ${config.comuneName}" <noreply@comune.example>`,
          SANDBOX_DIR: resolve(join(config.dataDir, 'sandbox')),
          ...(notifierSecret(config) === undefined ? {} : { NOTIFIER_CLIENT_SECRET: notifierSecret(config) }),
          // The durable consumer goes with the inbox it fills: a deployment with databases of its own
          // gets a consumer of its own on a NATS server others share.
          ...(distributed && config.postgresDatabasePrefix !== DEFAULT_DATABASE_PREFIX
            ? { NOTIFIER_CONSUMER: `${config.postgresDatabasePrefix}notifier` }
            : {}),
        }
      : {}),
  };
}

/**
 * The notifier's client secret at identity. In production, unless set, the hub derives it from the
 * internal secret (one secret less to manage; identity is told the same one). A demo's identity has
 * the demo's clients.
 */
function notifierSecret(config: HubConfig): string | undefined {
  const set = config.environment['NOTIFIER_CLIENT_SECRET'];
  if (set !== undefined && set !== '') return set;
  if (config.mode !== 'production' || config.internalSecret === null) return undefined;
  return createHmac('sha256', config.internalSecret)
    .update('sportello-notifier client secret')
    .digest('base64url');
}

function identityEnvironment(config: HubConfig): Environment {
  const notifier = notifierSecret(config);
  const listed = config.environment['INTERNAL_CLIENT_SECRETS'] ?? '';
  const clients =
    notifier === undefined || /(^|,)\s*notifier\s*=/.test(listed)
      ? listed
      : [listed, `notifier=${notifier}`].filter((entry) => entry.trim() !== '').join(',');
  return {
    ...(config.identityKeyEncryptionKey !== null
      ? { IDENTITY_KEY_ENCRYPTION_KEY: config.identityKeyEncryptionKey }
      : {}),
    ...(clients === '' ? {} : { INTERNAL_CLIENT_SECRETS: clients }),
    // Deep links for citizens to link the bot: identity needs its name, never its token.
    ...(config.telegram?.botUsername ? { TELEGRAM_BOT_USERNAME: config.telegram.botUsername } : {}),
  };
}

/**
 * Identity's upstream settings for the demo upstream: citizens (`UPSTREAM_OIDC_*`, SPID's
 * `fiscalNumber`) and staff (`STAFF_OIDC_*`, by username) sign in there, unless the operator set a
 * provider of their own, whose settings identity then gets as set.
 */
function demoUpstreamEnvironment(config: HubConfig, topology: Topology): Environment {
  const demo = topology.demoUpstream;
  if (demo === null) return {};
  const set = (name: string) => (config.environment[name] ?? '') !== '';
  return {
    ...(set('UPSTREAM_OIDC_ISSUER')
      ? {}
      : {
          UPSTREAM_OIDC_ISSUER: demo.issuer,
          UPSTREAM_OIDC_CLIENT_ID: demo.citizen.clientId,
          UPSTREAM_OIDC_CLIENT_SECRET: demo.citizen.clientSecret,
          UPSTREAM_OIDC_SCOPE: 'openid profile',
          UPSTREAM_FISCAL_CODE_CLAIM: 'fiscalNumber',
        }),
    ...(set('STAFF_OIDC_ISSUER')
      ? {}
      : {
          STAFF_OIDC_ISSUER: demo.issuer,
          STAFF_OIDC_CLIENT_ID: demo.staff.clientId,
          STAFF_OIDC_CLIENT_SECRET: demo.staff.clientSecret,
          STAFF_OIDC_SCOPE: 'openid profile',
          STAFF_USERNAME_CLAIM: 'preferred_username',
        }),
  };
}

/**
 * The hub's config with the Telegram bot's username filled in: as set (`TELEGRAM_BOT_USERNAME`), or
 * asked of the Bot API (`getMe`) with the token. Identity builds the citizens' deep links on it;
 * without it no citizen could link a chat.
 * @throws {ConfigError} when Telegram refuses the token, or cannot be reached and no username is set
 */
export async function withTelegramBot(
  config: HubConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<HubConfig> {
  const telegram = config.telegram;
  if (telegram === null || telegram.botUsername !== null) return config;
  const url = `${(telegram.apiRoot ?? 'https://api.telegram.org').replace(/\/$/, '')}/bot${telegram.botToken}/getMe`;
  let answer: { ok?: boolean; result?: { username?: string }; description?: string } | undefined;
  let failure = '';
  for (let attempt = 1; attempt <= 3 && answer === undefined; attempt++) {
    try {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
      answer = (await response.json()) as typeof answer;
      if (response.status === 401 || response.status === 404) {
        throw new ConfigError('hub', [
          {
            variable: 'TELEGRAM_BOT_TOKEN',
            reason: `Telegram does not know this bot (getMe answered ${response.status})`,
            received: 'a token',
          },
        ]);
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      failure = error instanceof Error ? error.message : String(error);
      if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
  const username = answer?.ok === true ? answer.result?.username : undefined;
  if (username === undefined) {
    throw new ConfigError('hub', [
      {
        variable: 'TELEGRAM_BOT_USERNAME',
        reason: `needed for citizens to link Telegram, and the Bot API could not tell it (${answer?.description ?? failure}): set it`,
        received: 'not set',
      },
    ]);
  }
  return { ...config, telegram: { ...telegram, botUsername: username } };
}

/**
 * Each process exports its own spans as `sportello-<service>` (the embedded hub, one process, has one
 * provider and tells services apart by the `sportello.service` span attribute).
 */
function tracingEnvironment(service: ServiceName | 'gateway', config: HubConfig): Environment {
  const { tracesEndpoint, sampleRatio } = config.tracing;
  return {
    OTEL_SERVICE_NAME: `sportello-${service}`,
    ...(tracesEndpoint === null
      ? {}
      : {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint,
          OTEL_TRACES_SAMPLER_ARG: String(sampleRatio),
        }),
  };
}

/** The notifier's channel endpoints: SMTP always, Telegram and App IO when configured (sandbox otherwise). */
function notifierChannels(config: HubConfig, topology: Topology): Environment {
  const { smtp } = topology;
  return {
    ...(smtp === null ? {} : { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) }),
    // The catcher speaks plain SMTP on loopback; a real server negotiates TLS when it offers it.
    ...(smtp?.catcher ? { SMTP_IGNORE_TLS: 'true' } : {}),
    ...(config.telegram
      ? {
          TELEGRAM_BOT_TOKEN: config.telegram.botToken,
          TELEGRAM_WEBHOOK_SECRET: config.telegram.webhookSecret,
          ...(config.telegram.apiRoot ? { TELEGRAM_API_ROOT: config.telegram.apiRoot } : {}),
          ...(config.telegram.publicChannel
            ? { TELEGRAM_PUBLIC_CHANNEL: config.telegram.publicChannel }
            : {}),
          // Telegram calls the gateway on the public origin, which forwards to the notifier.
          ...(config.publicUrl !== null
            ? { TELEGRAM_WEBHOOK_URL: `${config.publicUrl}/telegram/webhook` }
            : {}),
        }
      : {}),
    ...(config.io ? { IO_API_URL: config.io.apiUrl, IO_API_KEY: config.io.apiKey } : {}),
  };
}

/** The PostgreSQL URL naming a service's own database on the configured server. */
export function postgresDatabaseUrl(config: HubConfig, service: ServiceName): string {
  const url = new URL(config.postgresUrl);
  url.pathname = `/${config.postgresDatabasePrefix}${service.replace(/-/g, '_')}`;
  return url.toString();
}
