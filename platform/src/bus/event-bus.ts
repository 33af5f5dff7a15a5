import type { EventEnvelope } from '@sportello/schema';
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
   * A consumer runs one handler at a time, in publish order: a failing event holds back the events
   * after it (of that consumer only) until it succeeds or is skipped, which is what keeps the order
   * per subject across retries.
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

  /** Stops every consumer and listener and releases the connection. */
  close(): Promise<void>;
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
   * How long a handler may take before the event is redelivered (in-process: the attempt counts as
   * failed and is retried; the late result is ignored). @default 30_000
   */
  ackWaitMs?: number;
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
  backoffMs: [1_000, 5_000, 30_000],
} as const satisfies Required<Omit<ConsumerOptions, 'name' | 'subjects'>>;

/** Delay before delivery number `failures + 1`, given how many deliveries already failed. */
export function retryDelayMs(backoffMs: readonly number[], failures: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(failures, backoffMs.length) - 1] ?? backoffMs[0] ?? 0;
}

/** The part of a pino logger the bus uses. */
export type BusLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface Consumer {
  stop(): Promise<void>;
}
