import type { EventEnvelope, Lane } from '@sportello/schema';
import type { Logger } from 'pino';

/**
 * The event bus every service talks to. Two adapters pass the same test suite: in-process
 * (embedded mode) and NATS JetStream (distributed mode).
 *
 * Subjects are `sportello.<comune>.<producer>.<type>` (`busSubject` in @sportello/schema; build
 * consumer patterns with `busSubjectPattern`); patterns use NATS wildcards: `*` one token, `>` the
 * rest. Payloads are validated against the event catalogue both ways (`serializeEvent` on publish,
 * `parseEvent` on delivery): `publish` rejects an event outside the catalogue with
 * `EventValidationError`.
 */
export interface EventBus {
  /**
   * Publishes one event. Resolves once the bus has accepted it durably (JetStream ack), or, for the
   * in-process adapter, once every durable consumer matching the subject has handled it.
   * Publishing the same event id again inside the de-duplication window delivers it once.
   */
  publish(event: EventEnvelope): Promise<void>;

  /**
   * Starts (or resumes) a durable consumer. Delivery is at-least-once and in order per subject:
   * the handler resolving acks the event, throwing makes it come back after a back-off, up to
   * `maxDeliver` times (then it is logged as poison and skipped). Consumers de-duplicate on their
   * side with an inbox (see `handleOnce`).
   *
   * Order is kept per event subject (the entity an event is about): a consumer runs at most one
   * handler per subject at a time, in publish order, and a failing event holds back the later
   * events of its subject until it succeeds or is skipped. Events of different subjects run side by
   * side, up to `concurrency` at once. With `lanes`, each lane is consumed on its own, so a bulk
   * backlog never waits in front of an alert; order then holds per subject within a lane.
   */
  consume(options: ConsumerOptions, handler: EventHandler): Promise<Consumer>;

  /**
   * Ephemeral listener for live subscriptions: events published from now on, no ack, no replay.
   * Used by the gateway to feed GraphQL subscriptions.
   */
  listen(subjects: string | string[], handler: (event: EventEnvelope) => void): Promise<Consumer>;

  /**
   * Sends a small message to every process listening on `topic` at this moment, this one included:
   * state replicas of one service share (rate-limit usage), not an event. Not stored, not replayed,
   * at most once; no ordering across senders. Topics are dot-free names (`gateway-rate-limits`).
   */
  broadcast(topic: string, data: Uint8Array): void;

  /** Receives what is broadcast on `topic` from now on, from every process of the deployment. */
  onBroadcast(topic: string, handler: (data: Uint8Array) => void): Promise<Consumer>;

  /**
   * Tells live listeners now of an event committed in this process that `publish` will carry later
   * (its durable consumers have a backlog); that `publish` then leaves the listeners out. Only an
   * adapter whose listeners are in this process (the in-process bus) has it: over a real bus the
   * listeners hear of an event when it is published.
   */
  announce?(event: EventEnvelope): void;

  /** Stops every consumer and listener and releases the connection. */
  close(): Promise<void>;

  /**
   * Resolves when the bus can take and deliver events now (for `/ready`); rejects saying why not
   * (NATS unreachable, JetStream not answering). Adapters without an outside dependency resolve.
   */
  ready?(): Promise<void>;
}

/** A broadcast topic: letters, digits and dashes (one subject token on NATS). */
export function assertBroadcastTopic(topic: string): void {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(topic)) {
    throw new Error(`broadcast topic "${topic}" must be 1 to 64 letters, digits or dashes`);
  }
}

export type EventHandler = (event: EventEnvelope) => Promise<void>;

export interface ConsumerOptions {
  /** Durable name, stable across restarts (e.g. `notifier`). */
  name: string;
  /** Subject patterns, e.g. `sportello.*.practices.>`. */
  subjects: string[];
  /** @default 10 */
  maxDeliver?: number;
  /**
   * NATS: how long the server waits for an acknowledgement before handing the event out again.
   * While a handler runs, the consumer renews it (an in-progress heartbeat every third of it), so
   * a short wait only bites when the process died or lost its connection: after a `kill -9`, the
   * events it held come back this soon. (In-process there is no crash to recover from: see
   * `maxHandlerMs`.) @default 30_000
   */
  ackWaitMs?: number;
  /**
   * Longest a handler may run before it counts as hung: NATS stops renewing the event (it is
   * handed out again after the ack wait); in-process the attempt counts as failed and is retried
   * (the late result is ignored). @default 600_000
   */
  maxHandlerMs?: number;
  /**
   * Events handled at once, never two of one subject: one number, or with `lanes` one per lane (a
   * lane left out handles one at a time). NATS: bounds the events held unacknowledged too.
   * @default 1
   */
  concurrency?: number | Partial<Record<Lane, number>>;
  /**
   * Consumes each lane (`critical`, `interactive`, `bulk`) apart, higher lanes unaffected by a
   * backlog of lower ones, and served first: a lower lane's event starts only once the higher lanes
   * have nothing in hand, or after waiting a second. NATS: one durable consumer per lane
   * (`<name>-<lane>`), filtered by the lane's event types. @default false
   */
  lanes?: boolean;
  /** Told how each delivery ended (metrics). */
  observer?: ConsumerObserver;
  /**
   * Delay before the next delivery after the n-th failed one; the last value repeats.
   * @default [1_000, 5_000, 30_000]
   */
  backoffMs?: number[];
}

/** Defaults shared by every adapter, so both behave the same. */
export const CONSUMER_DEFAULTS = {
  maxDeliver: 10,
  ackWaitMs: 30_000,
  maxHandlerMs: 600_000,
  concurrency: 1,
  lanes: false,
  backoffMs: [1_000, 5_000, 30_000],
} as const satisfies Required<Omit<ConsumerOptions, 'name' | 'subjects' | 'observer'>>;

/** How many events of `lane` (or of all, without lanes) a consumer handles at once. */
export function concurrencyOf(options: Pick<ConsumerOptions, 'concurrency'>, lane?: Lane): number {
  const setting = options.concurrency ?? CONSUMER_DEFAULTS.concurrency;
  const value = typeof setting === 'number' ? setting : lane === undefined ? 1 : (setting[lane] ?? 1);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`concurrency must be a positive integer, got ${value}`);
  }
  return value;
}

/** How one delivery to a consumer's handler ended. */
export interface HandledReport {
  eventId: string;
  type: string;
  /** When the event happened (the envelope's `occurredAt`), when it could be read. */
  occurredAt?: string;
  /** `retry`: failed, handed out again later; `poison`: failed `maxDeliver` times, skipped; `skipped`: unreadable. */
  outcome: 'ok' | 'retry' | 'poison' | 'skipped';
  /** This delivery's number: 1 the first time, more after retries and crashes. */
  deliveries: number;
  durationMs: number;
}

/** Receives what a consumer does, e.g. to count it in metrics. Must not throw. */
export interface ConsumerObserver {
  handled(report: HandledReport): void;
}

/** A consumer's backlog at a moment, per lane (or once, `lane` absent, without lanes). */
export interface ConsumerStats {
  lane?: Lane;
  /** Events waiting: on the stream not yet delivered (NATS), or queued in the process (in-process). */
  pending: number;
  /** Events received and not yet acknowledged (running, or waiting behind their subject). */
  inFlight: number;
  /** Deliveries beyond the first since the consumer started (NATS: as the server counts them). */
  redelivered: number;
}

/** Delay before delivery number `failures + 1`, given how many deliveries already failed. */
export function retryDelayMs(backoffMs: readonly number[], failures: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(failures, backoffMs.length) - 1] ?? backoffMs[0] ?? 0;
}

/** The part of a pino logger the bus uses. */
export type BusLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface Consumer {
  stop(): Promise<void>;
  /** The consumer's backlog now (durable consumers; listeners have none). */
  stats?(): Promise<ConsumerStats[]>;
}

/** The key order is kept on: one entity of one comune. */
export function orderingKey(event: Pick<EventEnvelope, 'comune' | 'subject'>): string {
  return `${event.comune}|${event.subject}`;
}
