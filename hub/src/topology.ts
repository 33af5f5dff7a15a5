import { join, resolve } from 'node:path';
import type { Environment } from '@sportello/platform';
import { DEFAULT_DATABASE_PREFIX, SERVICES, type HubConfig, type ServiceName } from './config.js';
import { DEMO_COMUNE_NAME } from './demo/population.js';

export type RunMode = 'embedded' | 'distributed';

/** Where each part of the hub listens. */
export interface Topology {
  mode: RunMode;
  gatewayPort: number;
  ports: Record<ServiceName, number>;
  /** Base URL of a service, e.g. `http://127.0.0.1:4001`. */
  baseUrl(service: ServiceName): string;
  /** `iss` of access tokens: identity's base URL. */
  issuer: string;
  jwksUrl: string;
  /** Where the notifier sends mail: the configured SMTP server, or the hub's mail catcher. */
  smtp: { host: string; port: number; catcher: boolean };
  /** Where identity may send staff back after signing in to the dashboard the gateway serves. */
  dashboardRedirectUris: string[];
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
  options: { reserved?: number[] | undefined; mailCatcherPort?: number | undefined },
): Topology {
  const smtp =
    config.smtp.host !== null
      ? { host: config.smtp.host, port: config.smtp.port, catcher: false }
      : options.mailCatcherPort !== undefined
        ? { host: '127.0.0.1', port: options.mailCatcherPort, catcher: true }
        : undefined;
  if (smtp === undefined) throw new Error('no SMTP_HOST is configured: start the mail catcher first');
  const reserved = options.reserved;
  const ports = Object.fromEntries(
    SERVICES.map((service, i) => [service, reserved?.[i + 1] ?? config.port + i + 1]),
  ) as Record<ServiceName, number>;
  const baseUrl = (service: ServiceName) => `http://127.0.0.1:${ports[service]}`;
  return {
    mode,
    gatewayPort: reserved?.[0] ?? config.port,
    ports,
    baseUrl,
    issuer: baseUrl('identity'),
    jwksUrl: `${baseUrl('identity')}/.well-known/jwks.json`,
    smtp,
    // The same gateway, as a browser on this machine may name it.
    dashboardRedirectUris: ['127.0.0.1', 'localhost'].map(
      (host) => `http://${host}:${reserved?.[0] ?? config.port}/dashboard/callback`,
    ),
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
    SPORTELLO_MODE: 'demo',
    LOG_LEVEL: config.logLevel,
    COMUNE: config.comune,
    TOKEN_ISSUER: topology.issuer,
    TOKEN_AUDIENCE: config.tokenAudience,
    JWKS_URL: topology.jwksUrl,
    BUS: distributed ? 'nats' : 'inprocess',
    NATS_URL: config.natsServers.join(','),
    ...tracingEnvironment(service, config),
  };
  if (service === 'gateway') {
    return {
      ...common,
      // One gateway in the embedded hub: no other replica to share rate-limit usage with.
      ...(distributed ? {} : { GATEWAY_RATE_LIMIT_SYNC_MS: '0' }),
      ...config.gatewaySettings,
      PORT: String(topology.gatewayPort),
      HOST: config.host,
      GATEWAY_SUBGRAPHS: SERVICES.map((name) => `${name}=${topology.baseUrl(name)}/graphql`).join(','),
    };
  }
  return {
    ...common,
    PORT: String(topology.ports[service]),
    DATABASE_DRIVER: distributed ? 'postgresql' : 'sqlite',
    DATABASE_URL: distributed
      ? postgresDatabaseUrl(config, service)
      : resolve(join(config.dataDir, `${service}.db`)),
    COMUNE_NAME: DEMO_COMUNE_NAME,
    PUBLIC_URL: topology.baseUrl(service),
    ...(service === 'identity' && config.identityKeyEncryptionKey !== null
      ? { IDENTITY_KEY_ENCRYPTION_KEY: config.identityKeyEncryptionKey }
      : {}),
    ...(service === 'notifier'
      ? {
          IDENTITY_URL: topology.baseUrl('identity'),
          ANAGRAFE_URL: topology.baseUrl('anagrafe'),
          ...notifierChannels(config, topology),
          SMTP_FROM: `"Comune di ${DEMO_COMUNE_NAME}" <noreply@borgosereno.example>`,
          SANDBOX_DIR: resolve(join(config.dataDir, 'sandbox')),
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
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    // The catcher speaks plain SMTP on loopback; a real server negotiates TLS when it offers it.
    ...(smtp.catcher ? { SMTP_IGNORE_TLS: 'true' } : {}),
    ...(config.telegram
      ? {
          TELEGRAM_BOT_TOKEN: config.telegram.botToken,
          TELEGRAM_WEBHOOK_SECRET: config.telegram.webhookSecret,
          ...(config.telegram.apiRoot ? { TELEGRAM_API_ROOT: config.telegram.apiRoot } : {}),
          ...(config.telegram.publicChannel
            ? { TELEGRAM_PUBLIC_CHANNEL: config.telegram.publicChannel }
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
