import { AsyncResource } from 'node:async_hooks';
import {
  checkEvent,
  LANES,
  laneOf,
  type CheckedEvent,
  type EventEnvelope,
  type Lane,
} from '@sportello/schema';
import { pino } from 'pino';
import { DedupeWindow, type DedupeWindowOptions } from './dedupe-window.js';
import { type ForegroundGate } from './foreground-gate.js';
import {
  assertBroadcastTopic,
  CONSUMER_DEFAULTS,
  concurrencyOf,
  orderingKey,
  retryDelayMs,
  type BusLogger,
  type ConsumerObserver,
  type ConsumerOptions,
  type ConsumerStats,
  type EventBus,
  type EventHandler,
  type HandledReport,
} from './event-bus.js';
import { KeyedScheduler } from './keyed-scheduler.js';
import { LaneGate } from './lane-gate.js';
import { DEFAULT_SUBJECT_ROOT, subjectFilter, subjectFor } from './subjects.js';

/** Options of {@link createInProcessBus}. */
export interface InProcessBusOptions {
  /** Bounds of the de-duplication window (by age and by count). */
  dedupe?: DedupeWindowOptions;
  /** First token of every subject. @default 'sportello' */
  subjectRoot?: string;
  /** Where retries and poison events are reported. @default a silent logger */
  logger?: BusLogger;
  /**
   * Consumers run as background work of this gate: each delivery waits for the foreground work in
   * progress (requests, subscribers' updates) before it starts, except deliveries of critical events
   * (an alert goes before a request). Live listeners are never held back.
   */
  foreground?: ForegroundGate;
  /**
   * Publishing waits until {@link InProcessBus.open}: a process starting several services opens the
   * bus once all of them have registered their consumers, so none misses what another published
   * while starting (events left in an outbox by the previous run, say). @default false
   */
  held?: boolean;
}

/** The in-process bus, with the start-up hold of {@link InProcessBusOptions.held}. */
export interface InProcessBus extends EventBus {
  /** Lets publishing go ahead (what waited is delivered first). Idempotent. */
  open(): void;
  announce(event: EventEnvelope): void;
}

/** Events announced ahead of their publish that the bus remembers, so listeners hear of each once. */
const MAX_ANNOUNCED = 100_000;
/** How many characters of announced payloads the bus keeps for their publish (about 32 MiB). */
const MAX_ANNOUNCED_BYTES = 16 * 1024 * 1024;

/** Raised to `publish` when a consumer stops before handling the event, so the outbox retries it. */
export class ConsumerStoppedError extends Error {
  constructor(consumer: string, eventId: string) {
    super(`consumer "${consumer}" stopped before handling event ${eventId}`);
    this.name = 'ConsumerStoppedError';
  }
}

/**
 * The bus of the embedded mode: everything in one process, nothing kept in memory beyond the
 * de-duplication window.
 *
 * Durability comes from the outbox, not from the bus: `publish` resolves only once every durable
 * consumer matching the subject has handled the event (or skipped it as poison), and rejects if one
 * of them stops first. The relay marks an event published only after that, so a process that dies
 * mid-delivery republishes it on restart and consumers drop the repeat through their inbox.
 *
 * What this adapter does not do, by design: consumers registered (or restarted) after an event was
 * published never receive it (there is no replay from memory), and events published while no
 * consumer matches reach only live listeners.
 */
export function createInProcessBus(options: InProcessBusOptions = {}): InProcessBus {
  const logger = options.logger ?? pino({ level: 'silent' });
  const root = options.subjectRoot ?? DEFAULT_SUBJECT_ROOT;
  const seen = new DedupeWindow(options.dedupe);
  const inFlight = new Map<string, Promise<void>>();
  const consumers = new Map<string, InProcessConsumer>();
  const listeners = new Set<Listener>();
  /**
   * Events announced to the listeners and not published yet, by id, oldest first (at most
   * `MAX_ANNOUNCED`), with the event as checked while the payloads kept stay within
   * `MAX_ANNOUNCED_BYTES`, so their publish need not check and encode them again.
   */
  const announced = new Map<string, CheckedEvent | null>();
  let announcedBytes = 0;
  function forget(id: string): void {
    announcedBytes -= announced.get(id)?.text.length ?? 0;
    announced.delete(id);
  }
  const broadcastHandlers = new Map<string, Set<(data: Uint8Array) => void>>();
  let closed = false;
  let open!: () => void;
  let opened: Promise<void> | undefined = options.held
    ? new Promise<void>((resolve) => {
        open = () => {
          opened = undefined;
          resolve();
        };
      })
    : undefined;

  function assertOpen(): void {
    if (closed) throw new Error('the event bus is closed');
  }

  async function deliverAll(event: EventEnvelope, checked: CheckedEvent, subject: string): Promise<void> {
    const targets = [...consumers.values()].filter((consumer) => consumer.matches(subject));
    // Each delivery gets its own copy, as it would off the wire: a handler cannot change what
    // another one sees.
    const results = await Promise.allSettled(targets.map((consumer) => consumer.deliver(checked.copy())));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    seen.add(event.id);
  }

  return {
    async publish(event) {
      assertOpen();
      if (opened) {
        await opened;
        assertOpen();
      }
      const early = announced.get(event.id);
      const checked = early ?? checkEvent(event);
      if (seen.has(event.id)) return;
      const pending = inFlight.get(event.id);
      if (pending) return pending;

      const subject = subjectFor(event, root);
      if (announced.has(event.id)) forget(event.id);
      else for (const listener of listeners) listener.notify(subject, checked);

      const delivery = deliverAll(event, checked, subject).finally(() => inFlight.delete(event.id));
      inFlight.set(event.id, delivery);
      return delivery;
    },

    async consume(consumerOptions, handler) {
      assertOpen();
      if (!consumerOptions.name) throw new Error('consumer name is required');
      if (consumers.has(consumerOptions.name)) {
        throw new Error(`consumer "${consumerOptions.name}" is already running in this process`);
      }
      // Handlers run in the consumer's async context, not the publisher's, as over a real bus: state
      // kept in AsyncLocalStorage (an ORM's transaction, a request's) must not leak across services.
      const consumer = new InProcessConsumer(
        consumerOptions,
        AsyncResource.bind(handler),
        logger,
        options.foreground,
        consumerOptions.observer,
      );
      consumers.set(consumerOptions.name, consumer);
      return {
        async stop() {
          if (consumers.get(consumerOptions.name) === consumer) consumers.delete(consumerOptions.name);
          await consumer.stop();
        },
        async stats() {
          return consumer.stats();
        },
      };
    },

    announce(event) {
      if (closed || opened || listeners.size === 0) return;
      if (announced.has(event.id) || seen.has(event.id) || inFlight.has(event.id)) return;
      const checked = checkEvent(event);
      const subject = subjectFor(event, root);
      for (const listener of listeners) listener.notify(subject, checked);
      const kept = announcedBytes + checked.text.length <= MAX_ANNOUNCED_BYTES;
      announced.set(event.id, kept ? checked : null);
      if (kept) announcedBytes += checked.text.length;
      // Forgotten past the bound: such an event would reach listeners a second time when published.
      if (announced.size > MAX_ANNOUNCED) forget(announced.keys().next().value!);
    },

    async listen(subjects, handler) {
      assertOpen();
      const listener = new Listener(subjectFilter(subjects), AsyncResource.bind(handler), logger);
      listeners.add(listener);
      return {
        async stop() {
          listeners.delete(listener);
        },
      };
    },

    open() {
      if (opened) open();
    },

    async ready() {
      assertOpen();
    },

    broadcast(topic, data) {
      assertOpen();
      assertBroadcastTopic(topic);
      const handlers = [...(broadcastHandlers.get(topic) ?? [])];
      if (handlers.length === 0) return;
      // Later, as off the wire, each with a copy of its own.
      setImmediate(() => {
        for (const handler of handlers) {
          try {
            handler(data.slice());
          } catch (err) {
            logger.warn({ err, topic }, 'broadcast handler failed');
          }
        }
      });
    },

    async onBroadcast(topic, handler) {
      assertOpen();
      assertBroadcastTopic(topic);
      const bound = AsyncResource.bind(handler);
      const handlers = broadcastHandlers.get(topic) ?? new Set();
      handlers.add(bound);
      broadcastHandlers.set(topic, handlers);
      return {
        async stop() {
          handlers.delete(bound);
        },
      };
    },

    async close() {
      closed = true;
      // Publishers still waiting for the start-up hold are told the bus is closed.
      if (opened) open();
      listeners.clear();
      broadcastHandlers.clear();
      const running = [...consumers.values()];
      consumers.clear();
      await Promise.all(running.map((consumer) => consumer.stop()));
    },
  };
}

class Listener {
  constructor(
    private readonly matches: (subject: string) => boolean,
    private readonly handler: (event: EventEnvelope) => void,
    private readonly logger: BusLogger,
  ) {}

  notify(subject: string, event: CheckedEvent): void {
    if (!this.matches(subject)) return;
    // A live listener is a best-effort side channel: its failure must not reach the publisher or the
    // other listeners.
    try {
      this.handler(event.copy());
    } catch (err) {
      this.logger.warn({ err, subject }, 'event listener failed');
    }
  }
}

interface QueuedDelivery {
  event: EventEnvelope;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Ends the delivery's share of its lane in the lane gate. */
  done: () => void;
}

class InProcessConsumer {
  readonly matches: (subject: string) => boolean;
  private readonly name: string;
  private readonly maxDeliver: number;
  private readonly maxHandlerMs: number;
  private readonly backoffMs: readonly number[];
  private readonly lanes: boolean;
  /** One scheduler per lane (or one for all): a bulk backlog never takes an alert's place. */
  private readonly schedulers = new Map<Lane | 'all', KeyedScheduler<QueuedDelivery>>();
  private readonly redelivered = new Map<Lane | 'all', number>();
  private stopped = false;
  private readonly stopSignal = new AbortController();
  private readonly running = new Set<Promise<void>>();
  /** With lanes: a lower lane's event starts once the higher lanes have nothing in hand. */
  private readonly laneGate = new LaneGate();

  constructor(
    options: ConsumerOptions,
    private readonly handler: EventHandler,
    private readonly logger: BusLogger,
    private readonly foreground: ForegroundGate | undefined,
    private readonly observer: ConsumerObserver | undefined,
  ) {
    this.name = options.name;
    this.matches = subjectFilter(options.subjects);
    this.maxDeliver = options.maxDeliver ?? CONSUMER_DEFAULTS.maxDeliver;
    this.maxHandlerMs = options.maxHandlerMs ?? CONSUMER_DEFAULTS.maxHandlerMs;
    this.backoffMs = options.backoffMs ?? CONSUMER_DEFAULTS.backoffMs;
    this.lanes = options.lanes ?? CONSUMER_DEFAULTS.lanes;
    if (!Number.isInteger(this.maxDeliver) || this.maxDeliver < 1) {
      throw new Error(`consumer "${this.name}": maxDeliver must be a positive integer`);
    }
    for (const lane of this.lanes ? LANES : (['all'] as const)) {
      this.schedulers.set(
        lane,
        new KeyedScheduler<QueuedDelivery>(
          concurrencyOf(options, lane === 'all' ? undefined : lane),
          (queued) => this.run(queued),
        ),
      );
    }
  }

  /** Resolves once the event is handled (or skipped as poison); rejects if the consumer stops first. */
  deliver(event: EventEnvelope): Promise<void> {
    if (this.stopped) return Promise.reject(new ConsumerStoppedError(this.name, event.id));
    const lane = this.laneKey(event);
    const done = lane === 'all' ? () => {} : this.laneGate.begin(lane);
    return new Promise<void>((resolve, reject) => {
      this.scheduler(event).push(orderingKey(event), { event, resolve, reject, done });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal.abort();
    for (const scheduler of this.schedulers.values()) {
      for (const queued of scheduler.drain()) {
        queued.done();
        queued.reject(new ConsumerStoppedError(this.name, queued.event.id));
      }
    }
    await Promise.allSettled([...this.running]);
  }

  stats(): ConsumerStats[] {
    return [...this.schedulers].map(([lane, scheduler]) => ({
      ...(lane === 'all' ? {} : { lane }),
      pending: scheduler.queued,
      inFlight: scheduler.running,
      redelivered: this.redelivered.get(lane) ?? 0,
    }));
  }

  private laneKey(event: EventEnvelope): Lane | 'all' {
    return this.lanes ? laneOf(event.type) : 'all';
  }

  private scheduler(event: EventEnvelope): KeyedScheduler<QueuedDelivery> {
    return this.schedulers.get(this.laneKey(event))!;
  }

  private run(queued: QueuedDelivery): Promise<void> {
    const done = this.process(queued.event).finally(queued.done).then(queued.resolve, queued.reject);
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return done;
  }

  private async process(event: EventEnvelope): Promise<void> {
    const about = { consumer: this.name, eventId: event.id, type: event.type };
    for (let delivery = 1; ; delivery++) {
      if (this.stopped) throw new ConsumerStoppedError(this.name, event.id);
      const lane = this.laneKey(event);
      if (lane !== 'all') await this.laneGate.whenHigherIdle(lane);
      // Critical events (alerts, revocations) do not wait for requests: only lower lanes do.
      if (this.foreground && laneOf(event.type) !== 'critical') {
        await this.foreground.whenIdle();
        if (this.stopped) throw new ConsumerStoppedError(this.name, event.id);
      }
      if (delivery > 1) {
        this.redelivered.set(lane, (this.redelivered.get(lane) ?? 0) + 1);
      }
      const started = performance.now();
      const report = (outcome: HandledReport['outcome']) =>
        this.observer?.handled({
          eventId: event.id,
          type: event.type,
          occurredAt: event.occurredAt,
          outcome,
          deliveries: delivery,
          durationMs: performance.now() - started,
        });
      try {
        await this.attempt(event);
        report('ok');
        return;
      } catch (err) {
        if (delivery >= this.maxDeliver) {
          report('poison');
          this.logger.error(
            { ...about, deliveries: delivery, err },
            'poison event skipped after maxDeliver attempts',
          );
          return;
        }
        report('retry');
        const delayMs = retryDelayMs(this.backoffMs, delivery);
        this.logger.warn({ ...about, deliveries: delivery, delayMs, err }, 'event handler failed, retrying');
        await sleep(delayMs, this.stopSignal.signal);
      }
    }
  }

  /** A handler that hangs past `maxHandlerMs` counts as failed, so the event is tried again. */
  private attempt(event: EventEnvelope): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`handler did not finish within maxHandlerMs (${this.maxHandlerMs} ms)`)),
        this.maxHandlerMs,
      );
      Promise.resolve()
        .then(() => this.handler(event))
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
