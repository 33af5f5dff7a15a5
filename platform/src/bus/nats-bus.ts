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
import { eventDefinition, LANES, typesOfLane, type EventEnvelope, type Lane } from '@sportello/schema';
import { pino } from 'pino';
import { decodeEvent, encodeEvent, rejectionReason } from './event-codec.js';
import {
  assertBroadcastTopic,
  CONSUMER_DEFAULTS,
  concurrencyOf,
  orderingKey,
  retryDelayMs,
  type BusLogger,
  type Consumer,
  type ConsumerOptions,
  type ConsumerStats,
  type EventBus,
  type EventHandler,
  type HandledReport,
} from './event-bus.js';
import { Fifo } from './keyed-scheduler.js';
import { LaneGate } from './lane-gate.js';
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
 * - `consume` runs a durable pull consumer (one per lane with `lanes`) with explicit acks, handling up
 *   to `concurrency` events at once and one per event subject; every event held is renewed with an
 *   in-progress heartbeat, so a short ack wait hands a dead process's events to another within
 *   seconds. A failed event is redelivered (nak with back-off) before the later events of its
 *   subject, which keeps the order per subject.
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
  const link = { connected: true };
  void watchConnection(nc, logger, link);

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
    return new NatsBus(nc, jsm, stream, root, logger, link);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function watchConnection(
  nc: NatsConnection,
  logger: BusLogger,
  link: { connected: boolean },
): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') link.connected = false;
    if (status.type === 'reconnect') link.connected = true;
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
    private readonly link: { connected: boolean },
  ) {
    this.js = jetstream(nc);
  }

  async ready(): Promise<void> {
    this.assertOpen();
    if (!this.link.connected) throw new Error('NATS: connection lost, reconnecting');
    // JetStream itself must answer, not only the connection: a round trip to the stream.
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.jsm.streams.info(this.stream),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('NATS: JetStream did not answer within 2 s')), 2_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
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
    const maxDeliver = options.maxDeliver ?? CONSUMER_DEFAULTS.maxDeliver;
    if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
      throw new Error(`consumer "${options.name}": maxDeliver must be a positive integer`);
    }
    for (const lane of options.lanes ? LANES : [undefined]) {
      try {
        concurrencyOf(options, lane);
      } catch (error) {
        throw new Error(`consumer "${options.name}": ${(error as Error).message}`);
      }
    }
    subjectFilter(options.subjects);
    // The lanes of this consumer, in this process: a lower lane's event waits for the higher ones.
    const laneGate = new LaneGate();
    const parts: Array<{ durable: string; lane?: Lane; subjects: string[] }> = [];
    if (options.lanes) {
      for (const lane of LANES) {
        const subjects = laneSubjects(options.subjects, lane, this.root);
        if (subjects.length > 0) parts.push({ durable: `${options.name}-${lane}`, lane, subjects });
      }
    } else {
      parts.push({ durable: options.name, subjects: options.subjects });
    }
    // A consumer that had one durable and now has one per lane starts each lane where the single one
    // had got to, then the single one goes: nothing missed, nothing replayed from the start.
    const start = options.lanes ? await this.retireDurable(options.name) : undefined;

    const workers: Array<{ worker: DurableWorker; loop: Promise<void>; messages: ConsumerMessages }> = [];
    for (const part of parts) {
      const ackWaitMs = options.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs;
      const concurrency = concurrencyOf(options, part.lane);
      const config: Partial<ConsumerConfig> = {
        durable_name: part.durable,
        ack_policy: AckPolicy.Explicit,
        ...(start ?? { deliver_policy: DeliverPolicy.All }),
        ack_wait: nanos(ackWaitMs),
        max_deliver: maxDeliver,
        // Room to look past events that wait behind their subject (or, on servers that cannot filter
        // on several subjects, past events of other lanes, acknowledged without a handler).
        max_ack_pending: Math.max(concurrency * 4, SKIP_WINDOW),
        ...this.filterConfig(part.subjects),
      };
      await this.ensureConsumer(part.durable, config);
      const durable = await this.js.consumers.get(this.stream, part.durable);
      const messages = await durable.consume({ max_messages: Math.max(concurrency * 4, SKIP_WINDOW) });
      const worker = new DurableWorker(
        this.nc,
        { ...options, ackWaitMs },
        part.durable,
        part.lane,
        maxDeliver,
        concurrency,
        subjectFilter(part.subjects),
        handler,
        this.logger,
        options.lanes ? laneGate : undefined,
      );
      workers.push({ worker, loop: worker.run(messages), messages });
    }
    const consumer: Consumer = {
      stop: async () => {
        this.running.delete(consumer);
        for (const { worker, messages } of workers) {
          worker.stopping = true;
          messages.stop();
        }
        await Promise.all(workers.map(({ worker, loop }) => loop.then(() => worker.settle())));
      },
      stats: async () =>
        Promise.all(
          workers.map(async ({ worker }) => {
            const info = await this.jsm.consumers.info(this.stream, worker.durable);
            return {
              ...(worker.lane ? { lane: worker.lane } : {}),
              pending: info.num_pending,
              inFlight: info.num_ack_pending,
              redelivered: info.num_redelivered,
            } satisfies ConsumerStats;
          }),
        ),
    };
    this.running.add(consumer);
    return consumer;
  }

  /**
   * Deletes the single durable consumer `name` if there is one.
   * @returns where the lane consumers replacing it start: after what it had acknowledged, or where
   *   it was told to start if it never acknowledged anything; undefined when there was none
   */
  private async retireDurable(name: string): Promise<Partial<ConsumerConfig> | undefined> {
    let info;
    try {
      info = await this.jsm.consumers.info(this.stream, name);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
        return undefined;
      throw error;
    }
    const floor = info.ack_floor.stream_seq;
    const { deliver_policy: policy, opt_start_seq: startSeq, opt_start_time: startTime } = info.config;
    const start: Partial<ConsumerConfig> =
      floor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
        : policy === DeliverPolicy.StartTime && startTime
          ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime }
          : policy === DeliverPolicy.StartSequence && startSeq
            ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }
            : { deliver_policy: DeliverPolicy.All };
    await this.jsm.consumers.delete(this.stream, name);
    this.logger.info({ consumer: name, ackFloor: floor }, 'durable consumer split into lanes');
    return start;
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

/** What a worker holds of one message: received, queued behind its subject or running. */
interface Held {
  message: JsMsg;
  event: EventEnvelope;
  key: string;
  since: number;
  /** Ends its share of its lane in the lane gate. */
  done: () => void;
}

/**
 * Runs one durable consumer's messages through the handler: up to `concurrency` at once, one per
 * event subject at a time in stream order. Messages held (running or waiting behind their subject)
 * are kept alive with in-progress heartbeats, so the ack wait can be short: it only runs out when
 * the process is gone. A failed event is handed back (nak with back-off) and the later events of
 * its subject wait in the process until its redelivery has been handled, which keeps the order.
 */
class DurableWorker {
  stopping = false;

  private readonly held = new Set<Held>();
  /** Per subject: events waiting, in stream order, and whether one is running. */
  private readonly subjects = new Map<
    string,
    {
      queue: Held[];
      running: boolean;
      /** The stream sequence of the failed event the subject waits for, handed back for a retry. */
      blockedBy: number | undefined;
      /** Past this, the retry went to another replica: the subject goes on without it. */
      blockedUntil: number;
    }
  >();
  /** Subjects whose first waiting event may run, in the order they became ready. */
  private readonly ready = new Fifo<string>();
  private active = 0;
  private readonly handlers = new Set<Promise<void>>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly ackWaitMs: number;
  private readonly maxHandlerMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ConsumerOptions & { ackWaitMs: number },
    readonly durable: string,
    readonly lane: Lane | undefined,
    private readonly maxDeliver: number,
    private readonly concurrency: number,
    private readonly matches: (subject: string) => boolean,
    private readonly handler: EventHandler,
    private readonly logger: BusLogger,
    private readonly laneGate: LaneGate | undefined,
  ) {
    this.ackWaitMs = options.ackWaitMs;
    this.maxHandlerMs = options.maxHandlerMs ?? CONSUMER_DEFAULTS.maxHandlerMs;
  }

  async run(messages: ConsumerMessages): Promise<void> {
    void this.watch(messages);
    this.heartbeat = setInterval(() => this.beat(), Math.max(100, Math.floor(this.ackWaitMs / 3)));
    this.heartbeat.unref();
    try {
      for await (const message of messages) {
        if (this.stopping) {
          // Not ours to handle any more: let another replica (or the next start) have it now.
          message.nak();
          break;
        }
        this.receive(message);
      }
    } finally {
      if (this.stopping) this.handBack();
    }
  }

  /** Waits for the handlers running, once the worker is stopping. */
  async settle(): Promise<void> {
    this.handBack();
    while (this.handlers.size > 0) await Promise.allSettled([...this.handlers]);
    this.handBack();
    clearInterval(this.heartbeat);
  }

  /** Hands every waiting (not running) message back to the server for immediate redelivery. */
  private handBack(): void {
    for (const [key, state] of this.subjects) {
      for (const held of state.queue) {
        this.held.delete(held);
        held.done();
        held.message.nak();
      }
      state.queue = [];
      if (!state.running) this.subjects.delete(key);
    }
  }

  /**
   * Renews every message held, until its handler has run for `maxHandlerMs` (then it is hung), and
   * lets go of subjects whose retry never came back here.
   */
  private beat(): void {
    const now = Date.now();
    for (const held of this.held) {
      if (now - held.since > this.maxHandlerMs) continue;
      held.message.working();
    }
    for (const [key, state] of this.subjects) {
      if (state.blockedBy === undefined || now < state.blockedUntil) continue;
      this.logger.warn(
        { consumer: this.durable, seq: state.blockedBy },
        'retried event handled elsewhere: its subject goes on',
      );
      state.blockedBy = undefined;
      if (state.queue.length === 0 && !state.running) this.subjects.delete(key);
      else if (!state.running) this.ready.push(key);
    }
    this.pump();
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (
        status.type === 'heartbeats_missed' ||
        status.type === 'consumer_not_found' ||
        status.type === 'consumer_deleted'
      ) {
        this.logger.warn({ consumer: this.durable, status: status.type }, 'nats consumer status');
      }
    }
  }

  private receive(message: JsMsg): void {
    const about = { consumer: this.durable, subject: message.subject, seq: message.seq };
    if (!this.matches(message.subject)) {
      // Another lane's or another consumer's (a server that cannot filter on several subjects):
      // acknowledged without waiting for the server; if the ack is lost it comes back and is skipped again.
      message.ack();
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
    const key = orderingKey(event);
    const done = this.lane && this.laneGate ? this.laneGate.begin(this.lane) : () => {};
    const held: Held = { message, event, key, since: Date.now(), done };
    this.held.add(held);
    let state = this.subjects.get(key);
    if (!state) {
      this.subjects.set(key, (state = { queue: [], running: false, blockedBy: undefined, blockedUntil: 0 }));
    }
    if (state.blockedBy === message.seq) {
      // The redelivery the subject waits for: it goes before what arrived after it.
      state.blockedBy = undefined;
      state.queue.unshift(held);
    } else {
      state.queue.push(held);
    }
    if (!state.running && state.blockedBy === undefined) this.ready.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && !this.stopping) {
      const key = this.ready.shift();
      if (key === undefined) return;
      const state = this.subjects.get(key);
      if (!state || state.running || state.blockedBy !== undefined) continue;
      const held = state.queue.shift();
      if (!held) continue;
      state.running = true;
      this.active += 1;
      const done = this.handle(held).then(({ outcome, delayMs }) => {
        this.active -= 1;
        this.held.delete(held);
        held.done();
        state.running = false;
        if (outcome === 'retry') {
          state.blockedBy = held.message.seq;
          state.blockedUntil = Date.now() + delayMs + 2 * this.ackWaitMs;
        }
        if (state.queue.length === 0 && state.blockedBy === undefined) this.subjects.delete(key);
        else if (state.blockedBy === undefined) this.ready.push(key);
        this.pump();
      });
      this.handlers.add(done);
      void done.finally(() => this.handlers.delete(done));
    }
  }

  private async handle(held: Held): Promise<{ outcome: HandledReport['outcome']; delayMs: number }> {
    const { message, event } = held;
    const about = { consumer: this.durable, subject: message.subject, seq: message.seq };
    const deliveries = message.info.deliveryCount;
    if (this.lane && this.laneGate) await this.laneGate.whenHigherIdle(this.lane);
    const started = performance.now();
    held.since = Date.now();
    const report = (outcome: HandledReport['outcome']) => {
      try {
        this.options.observer?.handled({
          eventId: event.id,
          type: event.type,
          occurredAt: event.occurredAt,
          outcome,
          deliveries,
          durationMs: performance.now() - started,
        });
      } catch {
        // Metrics must never change what happens to an event.
      }
      return { outcome, delayMs: 0 };
    };
    try {
      await this.handler(event);
    } catch (err) {
      const log = { ...about, eventId: event.id, type: event.type, deliveries, err };
      if (deliveries >= this.maxDeliver) {
        this.logger.error(log, 'poison event skipped after maxDeliver attempts');
        message.term();
        return report('poison');
      }
      const delayMs = retryDelayMs(this.options.backoffMs ?? CONSUMER_DEFAULTS.backoffMs, deliveries);
      this.logger.warn({ ...log, delayMs }, 'event handler failed, retrying');
      message.nak(delayMs);
      return { ...report('retry'), delayMs };
    }
    await this.ack(message);
    return report('ok');
  }

  /**
   * Waits for the server to confirm, so an acknowledged event is never delivered again after a stop.
   * An ack lost with the connection is sent again once the client is back (acks are idempotent);
   * otherwise the consumer would sit idle until the ack wait expires and then see the event again.
   */
  private async ack(message: JsMsg): Promise<void> {
    const deadline = Date.now() + Math.max(this.ackWaitMs, 30_000);
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
            { consumer: this.durable, seq: message.seq, attempts: attempt, err },
            'ack not confirmed; the event may be redelivered',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

/**
 * How many messages a lane consumer may hold unacknowledged, at least: on a server that cannot
 * filter on several subjects it reads every event of the stream and skips other lanes' at once, and
 * a wide window lets it skip a bulk burst quickly.
 */
const SKIP_WINDOW = 256;

/**
 * The subjects of `lane`'s event types that `patterns` cover, e.g. for `sportello.*.practices.>` and
 * `bulk`: `sportello.*.practices.appointment.reminder`.
 */
export function laneSubjects(patterns: readonly string[], lane: Lane, root: string): string[] {
  const subjects = new Set<string>();
  for (const pattern of patterns) {
    const wanted = pattern.split('.');
    for (const type of typesOfLane(lane)) {
      const definition = eventDefinition(type)!;
      const common = intersect(wanted, [root, '*', definition.producer, ...type.split('.')]);
      if (common) subjects.add(common.join('.'));
    }
  }
  return [...subjects];
}

/** The subject tokens both a pattern and a concrete-but-for-wildcards subject cover, or null. */
function intersect(pattern: readonly string[], subject: readonly string[]): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '>') return subject.length > i ? [...out, ...subject.slice(i)] : null;
    const s = subject[i];
    if (s === undefined) return null;
    if (p === '*') out.push(s);
    else if (s === '*') out.push(p);
    else if (p === s) out.push(s);
    else return null;
  }
  return pattern.length === subject.length ? out : null;
}
