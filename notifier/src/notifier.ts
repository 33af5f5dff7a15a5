import 'reflect-metadata';
import type { ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import {
  createForegroundGate,
  createServiceMetrics,
  createSubgraphRuntime,
  internalAssertionsFor,
  openServiceDatabase,
  type Consumer,
  type Database,
  type EventBus,
  type ForegroundGate,
  type JwksSource,
  type Logger,
  type Route,
  type ServiceServer,
  REVOCATIONS_PATH,
} from '@sportello/platform';
import type { Channel, ChannelName } from './channels/channel.js';
import { createEmailChannel } from './channels/email/email-channel.js';
import { createIoChannel } from './channels/io/io-channel.js';
import { createSandboxChannel } from './channels/sandbox/sandbox-channel.js';
import { createTelegramBot, type TelegramBot } from './channels/telegram/telegram-bot.js';
import { createTelegramChannel, createTelegramPacer } from './channels/telegram/telegram-channel.js';
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
import { createRateLimiter } from './pacing/rate-limiter.js';
import { createChatLinks, type ChatLinks } from './telegram/chat-links.js';

/** Path of the Telegram webhook on the notifier's HTTP server. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

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
  const ownsDatabase = deps.database === undefined;
  const database =
    deps.database ??
    (await openServiceDatabase({
      service: 'notifier',
      config: config.database,
      entities: NOTIFIER_ENTITIES,
      migrations: { sqlite, postgresql },
      logger,
    }));
  await database.migrate();

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
  // One pacer for every request of the bot (notifications and replies): Telegram counts them together.
  const telegramPacer = createTelegramPacer({
    perSecond: config.telegram?.ratePerSecond ?? 30,
    perChatPerSecond: config.telegram?.ratePerChatPerSecond ?? 1,
  });

  const channels = new Map<ChannelName, Channel>();
  const closers: Array<() => Promise<void>> = [];
  const given = deps.channels ?? {};
  if (given.email) channels.set('email', given.email);
  else if (config.smtp) {
    const email = createEmailChannel(config.smtp);
    closers.push(() => email.close());
    channels.set('email', email);
  } else channels.set('email', createSandboxChannel('email', config.sandboxDir, { logger }));
  if (given.telegram) channels.set('telegram', given.telegram);
  else if (config.telegram) {
    channels.set(
      'telegram',
      createTelegramChannel(
        {
          token: config.telegram.token,
          ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
        },
        { pacer: telegramPacer },
      ),
    );
  } else channels.set('telegram', createSandboxChannel('telegram', config.sandboxDir, { logger }));
  if (given.io) channels.set('io', given.io);
  else if (config.io) {
    const service = { baseUrl: config.io.baseUrl, apiKey: config.io.apiKey };
    channels.set('io', createIoChannel({ resolveService: () => service }));
  } else channels.set('io', createSandboxChannel('io', config.sandboxDir, { logger }));

  const concurrency = config.dispatch.concurrency;
  // What an answer lost after sending becomes, per channel (see docs in the notifier README):
  // email is sent again with the same Message-ID, which receiving systems recognise; Telegram and
  // App IO have no idempotency key, so the delivery waits for staff as `uncertain`.
  const dispatchChannels = new Map<ChannelName, DispatchChannel>([
    [
      'email',
      {
        channel: channels.get('email')!,
        limiter: createRateLimiter({ global: { ratePerSecond: config.smtp?.ratePerSecond ?? 50 } }),
        keyOf: () => undefined,
        concurrency,
        onUncertain: 'resend',
      },
    ],
    [
      'telegram',
      {
        channel: channels.get('telegram')!,
        pacer: telegramPacer,
        keyOf: (row) => row.address,
        // A chat reads its messages in the order they were planned.
        inOrder: true,
        concurrency,
        onUncertain: 'hold',
      },
    ],
    [
      'io',
      {
        channel: channels.get('io')!,
        limiter: createRateLimiter({ perKey: { ratePerSecond: config.io?.ratePerSecond ?? 50 } }),
        keyOf: (row) => row.comune,
        concurrency,
        onUncertain: 'hold',
      },
    ],
  ]);
  let bot: TelegramBot | undefined = undefined;
  const notifierMetrics = createNotifierMetrics(metrics, { store, database, bot: () => bot });

  const stats = createStatsEmitter({ store, bus, logger, throttleMs: config.statsThrottleMs });
  // Alerts and practice changes being planned or an alert being sent: bulk planning and bulk sends
  // wait (a second at most at a time), leaving the database and the loop to them.
  const higherLanes = createForegroundGate({ maxDeferMs: 1_000 });
  const chatLinks = createChatLinks({ database, contacts, comune: config.defaultComune, logger, now: clock });
  const dispatcher = new Dispatcher({
    store,
    channels: dispatchChannels,
    render: createRenderer({
      database,
      comuneName,
      preferencesUrl: config.preferencesUrl,
      unsubscribeLink: (deliveryId) => unsubscribeLinks.linkFor(deliveryId),
    }),
    logger,
    batchSize: config.dispatch.batchSize,
    leaseMs: config.dispatch.leaseMs,
    maxAttempts: config.dispatch.maxAttempts,
    backoff: { baseMs: config.dispatch.retryBaseMs, maxMs: config.dispatch.retryMaxMs },
    pollIntervalMs: config.dispatch.pollIntervalMs,
    recoverIntervalMs: config.dispatch.recoverIntervalMs,
    now: clock,
    ...(deps.foreground ? { foreground: deps.foreground } : {}),
    higherLanes,
    onChange: (row) => stats.changed(row),
    onAttempt: (report) => notifierMetrics.attempt(report),
    async onUnreachable(row) {
      if (row.channel === 'telegram') {
        // The citizen blocked the bot: stop using the chat here and tell identity.
        await chatLinks.unlinkChat(row.address);
        logger.info({ deliveryId: row.id }, 'telegram chat unreachable: unlinked');
      }
    },
  });
  const planner = new Planner({
    database,
    store,
    contacts,
    audience,
    settings: { portalUrl: config.portalUrl, publicUrl: config.publicUrl, comuneName },
    channels: new Set(channels.keys()),
    publicChannel: () => config.telegram?.publicChannel ?? undefined,
    consumer: config.consumerName,
    logger,
    now: clock,
    onPlanned: (_eventId, priority) => dispatcher.nudge(priority),
    higherLanes,
    onProgress: (report) => notifierMetrics.planned(report),
  });

  bot = config.telegram
    ? createTelegramBot(
        {
          token: config.telegram.token,
          ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
          webhookSecret: config.telegram.webhookSecret,
          linkChat: (token, chatId) => chatLinks.linkChat(token, chatId),
          unlinkChat: (chatId) => chatLinks.unlinkChat(chatId),
          settingsUrl: config.preferencesUrl,
        },
        { pacer: telegramPacer, logger: logger.child({ component: 'telegram-bot' }) },
      )
    : undefined;

  const services = { store, nudge: () => dispatcher.nudge(), comuneName };
  const routes: Route[] = [...unsubscribeRoutes({ links: unsubscribeLinks, database, contacts, logger })];
  if (bot) {
    routes.push({
      method: 'POST',
      path: TELEGRAM_WEBHOOK_PATH,
      async handler(request) {
        // The bot answers through a Node response; capture what it writes into the route's answer.
        return new Promise((resolve) => {
          const capture = {
            writeHead(status: number, headers?: Record<string, string>) {
              return {
                end(body?: string) {
                  resolve({ status, headers: headers ?? {}, body: body ?? '' });
                },
              };
            },
          } as unknown as ServerResponse;
          void bot.handleWebhook(request.raw, capture);
        });
      },
    });
  }
  const schema = await buildNotifierSchema();
  const runtime = createSubgraphRuntime<NotifierContext>({
    service: 'notifier',
    logger,
    database,
    ownsDatabase,
    tokens: { issuer: config.tokenIssuer, audience: config.tokenAudience, jwks: deps.jwks ?? config.jwksUrl },
    internalSecret: config.internalSecret,
    revocations: { bus, list: new URL(REVOCATIONS_PATH, config.jwksUrl) },
    defaultComune: config.defaultComune,
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
          for (const close of closers) await close();
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
    if (bot && config.telegram) {
      // Supervised: Telegram unreachable at start is retried in the background, not fatal.
      if (config.telegram.webhookUrl) await bot.setWebhook(config.telegram.webhookUrl);
      else await bot.startPolling();
    }
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
      await bot?.close();
      await dispatcher.stop();
      await stats.close();
      await runtime.close();
    },
  };
}
