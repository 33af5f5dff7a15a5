import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import {
  createForegroundGate,
  createServiceMetrics,
  createSubgraphRuntime,
  identityCheckedCallers,
  internalAssertionsFor,
  migratedServiceDatabase,
  type Consumer,
  type Database,
  type EventBus,
  type ForegroundGate,
  type JwksSource,
  type Logger,
  type Route,
  type ServiceServer,
} from '@sportello/platform';
import type { Channel, ChannelName } from './channels/channel.js';
import { withLane } from './channels/lanes.js';
import { buildChannels } from './channels/registry.js';
import { createSandboxChannel } from './channels/sandbox/sandbox-channel.js';
import type { TelegramBot } from './channels/telegram/telegram-bot.js';
import type { NotifierConfig } from './config.js';
import type { NotifierContext } from './context.js';
import { DeliveryStore } from './delivery/delivery-store.js';
import { Dispatcher, type DispatchChannel } from './delivery/dispatcher.js';
import { Planner } from './delivery/planner.js';
import { createRenderer } from './delivery/renderer.js';
import { createStatsEmitter, type StatsEmitter } from './delivery/stats.js';
import { createAnagrafeAudience } from './directory/anagrafe-audience.js';
import { createUnsubscribeLinks, unsubscribeRoutes } from './http/unsubscribe.js';
import type { AudienceDirectory, ContactDirectory } from './directory/contact-directory.js';
import { createIdentityDirectory } from './directory/identity-directory.js';
import { createServiceTokens } from './directory/service-token.js';
import { NOTIFIER_ENTITIES } from './entities/index.js';
import { startConsumer } from './events/consumer.js';
import { buildNotifierSchema } from './graphql/schema.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';
import { createNotifierMetrics } from './metrics.js';
import { createChatLinks, type ChatLinks } from './channels/telegram/chat-links.js';

export { TELEGRAM_WEBHOOK_PATH } from './channels/telegram/definition.js';

/** What {@link createNotifier} needs from its host. */
export interface NotifierDeps {
  bus: EventBus;
  logger: Logger;
  /**
   * Channels to use instead of those built from the config (tests, the hub). The dispatcher paces
   * every channel itself, so these should not pace on their own.
   */
  channels?: Partial<Record<ChannelName, Channel>>;
  /** @default identity over HTTP with the notifier's service token */
  contacts?: ContactDirectory;
  /** @default anagrafe over HTTP with the notifier's service token */
  audience?: AudienceDirectory;
  /** The token issuer's keys, when the host has them; else `config.jwksUrl`. */
  jwks?: JwksSource;
  /**
   * In a process shared with requests (the embedded hub): planning and sending wait for the
   * gate's foreground work (the bus holds consumers back; this gate holds the dispatcher).
   */
  foreground?: ForegroundGate;
  /** An open notifier database (migrated here); by default one is opened from `config.database`. */
  database?: Database;
  /** Clock in epoch milliseconds. @default Date.now */
  clock?: () => number;
}

/** A running-ready notifier. */
export interface NotifierHandle {
  readonly schema: GraphQLSchema;
  readonly database: Database;
  readonly server: ServiceServer;
  /** Turns events into deliveries (the consumer calls it; tests may too). */
  readonly planner: Planner;
  /** Sends deliveries (started by `listen`; `runOnce` for step-by-step tests). */
  readonly dispatcher: Dispatcher;
  readonly store: DeliveryStore;
  readonly stats: StatsEmitter;
  readonly chatLinks: ChatLinks;
  /** The citizen bot, when a Telegram token is configured. */
  readonly bot: TelegramBot | undefined;
  /** The channels in use, by name (sandbox ones included). */
  readonly channels: ReadonlyMap<ChannelName, Channel>;
  /** Starts consuming, dispatching and the bot, then listens; returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Consumes and dispatches without an HTTP server (workers). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the notifier: opens and migrates its database, builds the federated schema (citizen message
 * history, delivery stats, dead letters), the planner, the dispatcher and the channels (sandbox ones
 * for those without credentials). Nothing consumes, sends or listens until `listen` or `start`.
 */
export async function createNotifier(config: NotifierConfig, deps: NotifierDeps): Promise<NotifierHandle> {
  const { logger, bus } = deps;
  const clock = deps.clock ?? Date.now;
  const { database, ownsDatabase } = await migratedServiceDatabase(deps.database, {
    service: 'notifier',
    config: config.database,
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
    logger,
  });

  const comuneName = (comune: string) => `Comune di ${config.comuneNames[comune] ?? comune}`;
  const internal = internalAssertionsFor('notifier', config.internalSecret);
  const unsubscribeLinks = createUnsubscribeLinks(config.publicUrl, config.internalSecret);
  const tokens = createServiceTokens({
    identityUrl: config.identityUrl,
    clientSecret: config.clientSecret,
    ...(internal ? { internalHeaders: internal.headers } : {}),
  });
  const contacts = deps.contacts ?? createIdentityDirectory(config.identityUrl, tokens);
  const audience = deps.audience ?? createAnagrafeAudience(config.anagrafeUrl, tokens);
  const store = new DeliveryStore(database, clock);
  const metrics = createServiceMetrics({ service: 'notifier' });
  const chatLinks = createChatLinks({ database, contacts, comune: config.defaultComune, logger, now: clock });
  // Each registered channel: its provider's adapter where configured (else the sandbox folder), its
  // pacing, and what runs around it (the Telegram bot).
  const built = buildChannels({
    config,
    logger,
    chatLinks,
    given: deps.channels ?? {},
    sandbox: (name) => createSandboxChannel(name, config.sandboxDir, { logger }),
  });
  const builtChannels = [...built.values()];
  const channels = new Map([...built].map(([name, { channel }]) => [name, channel]));
  const concurrency = config.dispatch.concurrency;
  const dispatchChannels = new Map<ChannelName, DispatchChannel>(
    [...built].map(([name, { channel, dispatch }]) => [name, { channel, ...dispatch, concurrency }]),
  );
  const bot: TelegramBot | undefined = builtChannels.find((channel) => channel.bot)?.bot;
  const notifierMetrics = createNotifierMetrics(metrics, { store, database, bot: () => bot });

  const stats = createStatsEmitter({ store, bus, logger, throttleMs: config.statsThrottleMs });
  // Alerts and practice changes being planned or an alert being sent: bulk planning and bulk sends
  // wait, leaving the database and the loop to them. Up to 5 s at a time, then a tenth of a second
  // of bulk work: a billing run's planning and reminders barely move while an alert is planned and
  // sent (on one SQLite connection every bulk statement queued is one more for the alert to wait
  // behind), yet never stop.
  const higherLanes = createForegroundGate({ maxDeferMs: 5_000, freeMs: 100 });
  const renderer = createRenderer({
    database,
    comuneName,
    preferencesUrl: config.preferencesUrl,
    unsubscribeLink: (deliveryId) => unsubscribeLinks.linkFor(deliveryId),
  });
  const dispatcher = new Dispatcher({
    store,
    channels: dispatchChannels,
    // Each message carries its lane: the channels give alerts their connections and rate first.
    render: withLane(renderer),
    logger,
    batchSize: config.dispatch.batchSize,
    leaseMs: config.dispatch.leaseMs,
    maxAttempts: config.dispatch.maxAttempts,
    backoff: { baseMs: config.dispatch.retryBaseMs, maxMs: config.dispatch.retryMaxMs },
    pollIntervalMs: config.dispatch.pollIntervalMs,
    recoverIntervalMs: config.dispatch.recoverIntervalMs,
    safetyPollMs: config.dispatch.safetyPollMs,
    now: clock,
    ...(deps.foreground ? { foreground: deps.foreground } : {}),
    higherLanes,
    onChange: (row) => stats.changed(row),
    onAttempt: (report) => notifierMetrics.attempt(report),
    async onUnreachable(row) {
      await built.get(row.channel)?.onUnreachable?.(row);
    },
  });
  const planner = new Planner({
    database,
    store,
    contacts,
    audience,
    settings: { portalUrl: config.portalUrl, publicUrl: config.publicUrl, comuneName },
    channels: new Set(channels.keys()),
    publicChannel: () => built.get('telegram')?.publicChannel?.(),
    consumer: config.consumerName,
    logger,
    now: clock,
    // Only the channels that have new deliveries claim; the renderer keeps what was recorded.
    onPlanned: (_eventId, priority, planned) => dispatcher.nudge(priority, planned),
    onRecorded: (notification) => renderer.remember(notification),
    higherLanes,
    onProgress: (report) => notifierMetrics.planned(report),
    ...(deps.foreground ? { foreground: deps.foreground } : {}),
  });

  const services = { store, nudge: () => dispatcher.nudge(), comuneName };
  const routes: Route[] = [
    ...unsubscribeRoutes({ links: unsubscribeLinks, database, contacts, logger }),
    ...builtChannels.flatMap((channel) => channel.routes ?? []),
  ];
  const schema = await buildNotifierSchema();
  const runtime = createSubgraphRuntime<NotifierContext>({
    service: 'notifier',
    logger,
    database,
    ownsDatabase,
    ...identityCheckedCallers(config, deps),
    // The notifier publishes straight to the bus and records no outbox events: nothing to relay.
    relayTo: null,
    schema,
    context: (base) => ({ ...base, services }),
    routes,
    // The bot's update loop is watched in the metrics (sportello_notifier_telegram_bot_up), not in
    // /ready: a Telegram outage must not take the notifier's API (and the gateway's readiness) down.
    metrics,
    // Channel connections close once the server no longer takes requests.
    workers: [
      {
        async stop() {
          for (const channel of builtChannels) await channel.close?.();
        },
      },
    ],
  });

  let consumer: Consumer | undefined;
  let started = false;
  async function start(): Promise<void> {
    if (started) return;
    started = true;
    await dispatcher.start();
    consumer = await startConsumer({
      bus,
      database,
      planner,
      chatLinks,
      name: config.consumerName,
      logger,
      ackWaitMs: config.consumer.ackWaitMs,
      concurrency: config.consumer.concurrency,
      bulkConcurrency: config.consumer.bulkConcurrency,
      observer: metrics.consumerObserver(config.consumerName),
      ...(config.bus.subjectRoot ? { subjectRoot: config.bus.subjectRoot } : {}),
    });
    metrics.watchConsumer(config.consumerName, consumer);
    // What a crash interrupted goes on now, not when the bus hands it out again.
    void planner
      .resumeInterrupted()
      .catch((error: unknown) => logger.error({ err: error }, 'interrupted planning could not be resumed'));
    for (const channel of builtChannels) await channel.start?.();
  }

  return {
    schema,
    database,
    server: runtime.server,
    planner,
    dispatcher,
    store,
    stats,
    chatLinks,
    bot,
    channels,
    start,
    async listen(port = config.port, host = config.host) {
      const url = await runtime.listen(port, host);
      await start();
      return url;
    },
    async close() {
      await consumer?.stop();
      for (const channel of builtChannels) await channel.stop?.();
      await dispatcher.stop();
      await stats.close();
      await runtime.close();
    },
  };
}
