import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  createForegroundGate,
  createInProcessBus,
  createLogger,
  createTokenVerifier,
  type EventBus,
  type JwksSource,
  type Logger,
} from '@sportello/platform';
import {
  createGateway,
  gatewayConfigFromEnv,
  parseGatewayEnv,
  sportelloSubscriptionBindings,
} from '@sportello/gateway';
import type { HubConfig, ServiceName } from './config.js';
import { generatePopulation } from './demo/population.js';
import { SERVICE_MODULES } from './services.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import { startHubDemoUpstream } from './demo-upstream.js';
import { planTopology, serviceEnvironment, withTelegramBot, type Topology } from './topology.js';
import { reservePorts } from './ports.js';
import { checkStartable } from './preflight.js';
import { withDemoSecrets } from './key-encryption-key.js';

/** A running embedded hub. */
export interface EmbeddedHub {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  topology: Topology;
  bus: EventBus;
  /** The local mail catcher; `null` when mail goes to the SMTP server configured with `SMTP_HOST`. */
  mailbox: MailCatcher | null;
  /** Base URLs of the services that are up. */
  services: Partial<Record<ServiceName, string>>;
  close(): Promise<void>;
}

export interface EmbeddedHubOptions {
  /** Progress lines for a person watching the start (seeding, URLs). */
  onProgress?: (line: string) => void;
  logger?: Logger;
  /** The supergraph to boot from. @default the committed schema/supergraph.graphql */
  supergraphFile?: string;
  /**
   * Background work (bus consumers, the notifier's sending) waits for the gateway's requests and
   * subscribers' updates in progress; `false` lets both share the loop as they come (benchmarks
   * compare the two). @default true
   */
  foregroundFirst?: boolean;
}

/**
 * Starts the whole hub in this process on the embedded default: SQLite files under the data folder,
 * the in-process bus, a local SMTP catcher, every service on loopback and the gateway in front.
 * The demo comune is generated and seeded on first start.
 */
export async function startEmbeddedHub(
  hubConfig: HubConfig,
  options: EmbeddedHubOptions = {},
): Promise<EmbeddedHub> {
  const config = await withTelegramBot(await withDemoSecrets(hubConfig));
  const progress = options.onProgress ?? (() => {});
  const logger = options.logger ?? createLogger({ name: 'hub', level: config.logLevel });
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });

  // Held until each server listens: seeding takes a while, and the ports must still be free then.
  const reservation = config.port === 0 ? await reservePorts(7) : undefined;
  // One event loop for every service: consumers (notifications, the audit log) let the gateway's
  // requests and subscribers' updates go first.
  const foreground = options.foregroundFirst === false ? undefined : createForegroundGate();
  // Held until every service has registered its consumers: a service's relay publishing what its
  // outbox kept from the previous run (or the demo's seed) must not find the notifier not started.
  const bus = createInProcessBus({
    held: true,
    logger: logger.child({ component: 'bus' }),
    ...(foreground ? { foreground } : {}),
  });
  const closers: Array<() => Promise<void>> = [];
  const services: Partial<Record<ServiceName, string>> = {};

  try {
    const mailbox =
      config.smtp.host === null && config.mode === 'demo'
        ? await startMailCatcher({ folder: join(dataDir, 'mailbox'), port: config.smtp.port })
        : null;
    if (mailbox) closers.push(() => mailbox.close());
    let callbackUrl: string | null = null;
    const demoUpstream = await startHubDemoUpstream(config, () => callbackUrl);
    if (demoUpstream) closers.push(() => demoUpstream.upstream.close());
    const topology = planTopology(config, 'embedded', {
      reserved: reservation?.ports,
      mailCatcherPort: mailbox?.port,
      demoUpstream: demoUpstream?.settings,
    });
    callbackUrl = `${topology.issuer}/oauth/callback`;
    const env = (service: ServiceName | 'gateway') => serviceEnvironment(service, config, topology);
    checkStartable(config, topology);

    const population =
      config.mode === 'demo'
        ? generatePopulation({ households: config.demoHouseholds, istat: config.comune })
        : undefined;
    if (population) demoUpstream?.upstream.know(population.people);
    let jwks: JwksSource | undefined;
    for (const module of SERVICE_MODULES) {
      const service = await module.create(env(module.name), {
        bus,
        ...(foreground ? { foreground } : {}),
        logger: logger.child({ service: module.name }),
        ...(jwks ? { jwks } : {}),
      });
      closers.push(() => service.close());
      // Migrated and seeded before it listens, as in the distributed mode: jobs a service runs at
      // start (tributi's payment reminders) then find the demo data.
      await service.database.migrate();
      const done = population
        ? await module.seed(service.database, population, progress, topology)
        : await module.setUp?.(service.database, config, topology);
      if (done) progress(`  ${done}`);
      await reservation?.release(topology.ports[module.name]);
      services[module.name] = await service.listen(topology.ports[module.name], '127.0.0.1');
      // In one process the services read identity's published keys directly, not over HTTP.
      jwks ??= service.jwks;
    }
    if (!jwks) throw new Error('identity must start first: it signs every token');

    // The gateway reads the environment its own process would (the hub's GATEWAY_* settings
    // included): limits, rate limits, the dashboard's issuer, revocations from identity.
    const gatewayEnv = parseGatewayEnv(env('gateway'));
    const supergraphSdl = await readFile(
      options.supergraphFile ??
        gatewayEnv.GATEWAY_SUPERGRAPH_FILE ??
        new URL('../../schema/supergraph.graphql', import.meta.url),
      'utf8',
    );
    const trustedDocuments: unknown =
      gatewayEnv.GATEWAY_TRUSTED_DOCUMENTS_FILE === undefined
        ? undefined
        : JSON.parse(await readFile(gatewayEnv.GATEWAY_TRUSTED_DOCUMENTS_FILE, 'utf8'));
    const gateway = await createGateway(
      {
        ...gatewayConfigFromEnv(gatewayEnv, { supergraphSdl, trustedDocuments }),
        subgraphUrls: Object.fromEntries(
          Object.entries(services).map(([name, base]) => [name, `${base}/graphql`]),
        ),
      },
      {
        verifier: createTokenVerifier({
          issuer: topology.issuer,
          audience: gatewayEnv.TOKEN_AUDIENCE,
          jwks,
        }),
        logger: logger.child({ service: 'gateway' }),
        bus,
        subscriptions: sportelloSubscriptionBindings(),
        ...(foreground ? { foreground } : {}),
      },
    );
    closers.push(() => gateway.close());
    await reservation?.release(topology.gatewayPort);
    const url = await gateway.listen(topology.gatewayPort, config.host);
    bus.open();

    return {
      url,
      topology,
      bus,
      mailbox,
      services,
      async close() {
        for (const close of closers.reverse()) await close();
        await bus.close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await bus.close();
    throw error;
  } finally {
    await reservation?.releaseAll();
  }
}
