import type { EventEnvelope } from '@sportello/schema';

/**
 * The event bus every service talks to. Two adapters pass the same test suite: in-process
 * (embedded mode) and NATS JetStream (distributed mode).
 *
 * Subjects are `sportello.<comune>.<service>.<event>` (see `busSubject` in @sportello/schema);
 * patterns use NATS wildcards: `*` one token, `>` the rest.
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
   */
  consume(options: ConsumerOptions, handler: EventHandler): Promise<Consumer>;

  /**
   * Ephemeral listener for live subscriptions: events published from now on, no ack, no replay.
   * Used by the gateway to feed GraphQL subscriptions.
   */
  listen(subjects: string | string[], handler: (event: EventEnvelope) => void): Promise<Consumer>;

  /** Stops every consumer and listener and releases the connection. */
  close(): Promise<void>;
}

export type EventHandler = (event: EventEnvelope) => Promise<void>;

export interface ConsumerOptions {
  /** Durable name, stable across restarts (e.g. `notifier`). */
  name: string;
  /** Subject patterns, e.g. `sportello.*.practices.>`. */
  subjects: string[];
  /** @default 10 */
  maxDeliver?: number;
  /** How long a handler may take before the event is redelivered. @default 30_000 */
  ackWaitMs?: number;
}

export interface Consumer {
  stop(): Promise<void>;
}
