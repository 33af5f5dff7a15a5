import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type EventEnvelope } from '@sportello/schema';
import { pino } from 'pino';
import { decodeEvent, encodeEvent, rejectionReason } from './event-codec.js';
import {
  assertBroadcastTopic,
  CONSUMER_DEFAULTS,
  retryDelayMs,
  type BusLogger,
  type Consumer,
  type ConsumerOptions,
  type EventBus,
  type EventHandler,
} from './event-bus.js';
import { DEFAULT_SUBJECT_ROOT, subjectFilter, subjectFor } from './subjects.js';

/** Options of {@link createNatsBus}. */
export interface NatsBusOptions {
  /** NATS server URLs, e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** JetStream stream holding the events; created if missing. @default 'SPORTELLO' */
  stream?: string;
  /** First token of every subject; another value isolates deployments sharing a server. @default 'sportello' */
  subjectRoot?: string;
  /** Subjects the stream captures. @default [`${subjectRoot}.>`] */
  subjects?: string[];
  /** Publishing an event id again within this window stores it once. @default 120_000 */
  duplicateWindowMs?: number;
  /** How long the stream keeps events (a durable consumer offline longer misses them). @default 7 days */
  maxAgeMs?: number;
  /** Connection name shown by the server's monitoring. @default 'sportello' */
  connectionName?: string;
  /** Where retries, poison and malformed events and reconnections are reported. @default a silent logger */
  logger?: BusLogger;
}

const NANOS_PER_MS = 1_000_000;
const nanos = (ms: number): number => Math.round(ms * NANOS_PER_MS);

/**
 * The bus of the distributed mode, on NATS JetStream. Connects, makes sure the stream exists, and
 * returns the bus; `close()` drains the connection.
 *
 * - `publish` sends the event with its id as JetStream message id (`Nats-Msg-Id`), so a repeat inside
 *   the duplicate window is dropped by the server, and resolves on the stream's ack.
 * - `consume` runs a durable pull consumer with explicit acks and at most one unacknowledged event:
 *   a failed event is redelivered (nak with back-off) before anything after it, which keeps the order.
 * - `listen` reads the stream from its current end with an ordered consumer, so it honours the
 *   de-duplication too.
 *
 * The client reconnects by itself, forever; consumers and listeners resume where they were.
 * @throws Error when the server cannot be reached or the stream cannot be created.
 */
export async function createNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const stream = options.stream ?? 'SPORTELLO';
  const root = options.subjectRoot ?? DEFAULT_SUBJECT_ROOT;
  const nc = await connect({
    servers: options.servers,
    name: options.connectionName ?? 'sportello',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  });
  void watchConnection(nc, logger);

  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, {
      name: stream,
      subjects: options.subjects ?? [`${root}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
      max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3_600_000),
    });
    return new NatsBus(nc, jsm, stream, root, logger);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function watchConnection(nc: NatsConnection, logger: BusLogger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
      logger.warn(
        { status: status.type, server: 'server' in status ? status.server : undefined },
        'nats connection',
      );
    }
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  let current = await streamConfig(jsm, config.name);
  if (!current) {
    try {
      await jsm.streams.add(config);
      return;
    } catch (error) {
      // Another replica may have created it in the meantime.
      current = await streamConfig(jsm, config.name);
      if (!current) throw error;
    }
  }
  // It exists from a previous run: keep its data, bring the settings this bus owns up to date.
  const subjects = [...new Set([...(current.subjects ?? []), ...(config.subjects ?? [])])];
  if (
    subjects.length !== (current.subjects ?? []).length ||
    current.duplicate_window !== config.duplicate_window ||
    current.max_age !== config.max_age
  ) {
    await jsm.streams.update(config.name, {
      subjects,
      duplicate_window: config.duplicate_window,
      max_age: config.max_age,
    });
  }
}

async function streamConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      return undefined;
    throw error;
  }
}

/** Server versions before 2.10 accept only one filter subject per consumer. */
function supportsManyFilters(nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? '0.0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

class NatsBus implements EventBus {
  private readonly js;
  private readonly running = new Set<Consumer>();
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly root: string,
    private readonly logger: BusLogger,
  ) {
    this.js = jetstream(nc);
  }

  async publish(event: EventEnvelope): Promise<void> {
    this.assertOpen();
    const payload = encodeEvent(event);
    await this.js.publish(subjectFor(event, this.root), payload, {
      msgID: event.id,
      expect: { streamName: this.stream },
    });
  }

  async consume(options: ConsumerOptions, handler: EventHandler): Promise<Consumer> {
    this.assertOpen();
    if (!options.name) throw new Error('consumer name is required');
    const matches = subjectFilter(options.subjects);
    const maxDeliver = options.maxDeliver ?? CONSUMER_DEFAULTS.maxDeliver;
    if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
      throw new Error(`consumer "${options.name}": maxDeliver must be a positive integer`);
    }
    const config: Partial<ConsumerConfig> = {
      durable_name: options.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs),
      max_deliver: maxDeliver,
      // One event in flight: a nak'ed event is redelivered before the next one, so per-subject order
      // survives retries.
      max_ack_pending: 1,
      ...this.filterConfig(options.subjects),
    };
    await this.ensureConsumer(options.name, config);

    const durable = await this.js.consumers.get(this.stream, options.name);
    const messages = await durable.consume({ max_messages: 1 });
    const worker = new DurableWorker(this.nc, options, maxDeliver, matches, handler, this.logger);
    const loop = worker.run(messages);
    const consumer: Consumer = {
      stop: async () => {
        this.running.delete(consumer);
        worker.stopping = true;
        messages.stop();
        await loop;
      },
    };
    this.running.add(consumer);
    return consumer;
  }

  async listen(subjects: string | string[], handler: (event: EventEnvelope) => void): Promise<Consumer> {
    this.assertOpen();
    const patterns = Array.isArray(subjects) ? subjects : [subjects];
    const matches = subjectFilter(patterns);
    const { state } = await this.jsm.streams.info(this.stream);
    const filter = this.filterConfig(patterns);
    const filterSubjects = filter.filter_subject ?? filter.filter_subjects;
    // Starting after the current last sequence (rather than "new") also holds when the client has to
    // recreate the ordered consumer before it saw any event.
    const ordered = await this.js.consumers.get(this.stream, {
      opt_start_seq: state.last_seq + 1,
      ...(filterSubjects ? { filter_subjects: filterSubjects } : {}),
    });
    const messages = await ordered.consume({
      callback: (message) => {
        if (!matches(message.subject)) return;
        // A live listener is a best-effort side channel: its failure must not reach anyone else.
        try {
          handler(decodeEvent(message.string()));
        } catch (err) {
          this.logger.warn({ err, subject: message.subject, seq: message.seq }, 'event listener failed');
        }
      },
    });
    const listener: Consumer = {
      stop: async () => {
        this.running.delete(listener);
        await messages.close();
      },
    };
    this.running.add(listener);
    return listener;
  }

  broadcast(topic: string, data: Uint8Array): void {
    this.assertOpen();
    this.nc.publish(this.broadcastSubject(topic), data);
  }

  async onBroadcast(topic: string, handler: (data: Uint8Array) => void): Promise<Consumer> {
    this.assertOpen();
    const subscription = this.nc.subscribe(this.broadcastSubject(topic), {
      callback: (err, message) => {
        if (err) {
          this.logger.warn({ err, topic }, 'broadcast subscription failed');
          return;
        }
        try {
          handler(message.data);
        } catch (err) {
          this.logger.warn({ err, topic }, 'broadcast handler failed');
        }
      },
    });
    // Subscribed once the server has it: a broadcast sent after this resolves is received.
    await this.nc.flush();
    const listener: Consumer = {
      stop: async () => {
        this.running.delete(listener);
        subscription.unsubscribe();
      },
    };
    this.running.add(listener);
    return listener;
  }

  /** Core NATS, outside the stream's subjects (`<root>.>`): broadcasts are never stored. */
  private broadcastSubject(topic: string): string {
    assertBroadcastTopic(topic);
    return `${this.root}_broadcast.${topic}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.running].map((consumer) => consumer.stop()));
    await this.nc.drain();
  }

  private assertOpen(): void {
    if (this.closed || this.nc.isClosed()) throw new Error('the event bus is closed');
  }

  /**
   * Filters on the server when it can; with several patterns on an old server the consumer reads
   * every subject of the stream and the client skips what does not match.
   */
  private filterConfig(patterns: string[]): Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'> {
    if (patterns.length === 1) return { filter_subject: patterns[0] };
    return supportsManyFilters(this.nc) ? { filter_subjects: patterns } : {};
  }

  private async ensureConsumer(name: string, config: Partial<ConsumerConfig>): Promise<void> {
    let current: ConsumerConfig | undefined;
    try {
      current = (await this.jsm.consumers.info(this.stream, name)).config;
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.ConsumerNotFound)
        throw error;
    }
    if (!current) {
      await this.jsm.consumers.add(this.stream, config);
      return;
    }
    const changed = (['ack_wait', 'max_deliver', 'max_ack_pending', 'filter_subject'] as const).some(
      (key) => (current[key] ?? undefined) !== (config[key] ?? undefined),
    );
    const filtersChanged =
      JSON.stringify(current.filter_subjects ?? []) !== JSON.stringify(config.filter_subjects ?? []);
    if (!changed && !filtersChanged) return;
    try {
      await this.jsm.consumers.update(this.stream, name, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
        // An empty filter_subject makes the client address `CONSUMER.CREATE.<stream>.<name>.`, which
        // no server answers: send a filter only when there is one.
        ...(config.filter_subject ? { filter_subject: config.filter_subject } : {}),
        ...(config.filter_subjects ? { filter_subjects: config.filter_subjects } : {}),
      });
    } catch (cause) {
      throw new Error(
        `durable consumer "${name}" exists on stream "${this.stream}" with settings this server cannot update; ` +
          'delete it or keep its subjects',
        { cause },
      );
    }
  }
}

/** Runs one durable consumer's messages through the handler, one at a time. */
class DurableWorker {
  stopping = false;

  private readonly ackWaitMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ConsumerOptions,
    private readonly maxDeliver: number,
    private readonly matches: (subject: string) => boolean,
    private readonly handler: EventHandler,
    private readonly logger: BusLogger,
  ) {
    this.ackWaitMs = options.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs;
  }

  async run(messages: ConsumerMessages): Promise<void> {
    void this.watch(messages);
    for await (const message of messages) {
      if (this.stopping) break;
      await this.handle(message);
    }
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (
        status.type === 'heartbeats_missed' ||
        status.type === 'consumer_not_found' ||
        status.type === 'consumer_deleted'
      ) {
        this.logger.warn({ consumer: this.options.name, status: status.type }, 'nats consumer status');
      }
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const about = { consumer: this.options.name, subject: message.subject, seq: message.seq };
    if (!this.matches(message.subject)) {
      await this.ack(message);
      return;
    }
    let event: EventEnvelope;
    try {
      event = decodeEvent(message.string());
    } catch (err) {
      // Redelivering bytes that cannot be parsed would only repeat the failure.
      this.logger.error({ ...about, reason: rejectionReason(err) }, 'malformed event terminated');
      message.term();
      return;
    }
    const deliveries = message.info.deliveryCount;
    try {
      await this.handler(event);
    } catch (err) {
      const log = { ...about, eventId: event.id, type: event.type, deliveries, err };
      if (deliveries >= this.maxDeliver) {
        this.logger.error(log, 'poison event skipped after maxDeliver attempts');
        message.term();
        return;
      }
      const delayMs = retryDelayMs(this.options.backoffMs ?? CONSUMER_DEFAULTS.backoffMs, deliveries);
      this.logger.warn({ ...log, delayMs }, 'event handler failed, retrying');
      message.nak(delayMs);
      return;
    }
    await this.ack(message);
  }

  /**
   * Waits for the server to confirm, so an acknowledged event is never delivered again after a stop.
   * An ack lost with the connection is sent again once the client is back (acks are idempotent);
   * otherwise the consumer would sit idle until the ack wait expires and then see the event again.
   */
  private async ack(message: JsMsg): Promise<void> {
    const deadline = Date.now() + this.ackWaitMs;
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1) {
          await message.ackAck({ timeout: 2_000 });
        } else {
          // ackAck sends only once per message; a repeat goes straight to the ack subject (the
          // message's reply subject, which the client implementation exposes but the interface omits).
          const reply = (message as JsMsg & { reply?: string }).reply;
          if (!reply) return;
          await this.nc.request(reply, '+ACK', { timeout: 2_000 });
        }
        return;
      } catch (err) {
        if (this.stopping || Date.now() >= deadline) {
          this.logger.warn(
            { consumer: this.options.name, seq: message.seq, attempts: attempt, err },
            'ack not confirmed; the event may be redelivered',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}
