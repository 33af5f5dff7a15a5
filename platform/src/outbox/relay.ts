import { AsyncResource } from 'node:async_hooks';
import type { EventEnvelope } from '@sportello/schema';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus.js';
import type { Database, EntityManager } from '../database/database.js';
import { OutboxMessage } from './outbox-message.entity.js';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  database: Database;
  bus: EventBus;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** How often the outbox is polled when nothing nudges the relay. @default 1_000 */
  pollIntervalMs?: number;
  /** Events read per round. @default 100 */
  batchSize?: number;
  /**
   * SQLite: events handed to the bus and not yet delivered, at most. Past it, new events wait for
   * deliveries to finish (the in-process bus holds them in its consumers' queues meanwhile).
   * @default 1_000
   */
  maxInFlight?: number;
  /** Longest wait between rounds while publishing keeps failing. @default 30_000 */
  maxBackoffMs?: number;
  /**
   * Starts a round as soon as the database commits outbox events (see `Database.onEventsCommitted`),
   * so an event reaches the bus right after its commit, not at the next poll. @default true
   */
  publishOnCommit?: boolean;
}

/** The handle {@link createOutboxRelay} returns. */
export interface OutboxRelay {
  /** Starts polling. Idempotent. */
  start(): void;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
  /**
   * Publishes everything pending now, in order, and resolves with how many events this call
   * published (0 when another replica holds the outbox). Failures are recorded on the rows and
   * logged, not thrown.
   */
  flush(): Promise<number>;
  /** Asks for a round soon (e.g. right after a commit), unless the relay is backing off. */
  nudge(): void;
}

interface Round {
  published: number;
  failed: number;
  /** A full batch went out: more may be waiting. */
  more: boolean;
}

/**
 * One relay per service process publishes that service's outbox to the bus, oldest first, and
 * marks each event published. The event id is the bus de-duplication key, so an event published
 * again after a crash between publish and mark is delivered once.
 *
 * Events go out oldest first. On PostgreSQL, when an event fails to publish, the later events about
 * the same subject wait for the next round, while other subjects go on. Failures back off
 * exponentially.
 *
 * Replicas: on PostgreSQL each round runs in a transaction holding a transaction-level advisory lock
 * on the service database, so exactly one replica publishes at a time (the others find it taken and
 * skip the round), which also keeps the per-subject order across replicas. On SQLite the database
 * belongs to one process and one relay: a round hands events to the bus in outbox order without
 * waiting for their deliveries (at most `maxInFlight`), so a slow consumer of one event does
 * not delay the next commit's events. There, an event already handed over is not held back when an
 * earlier one of its subject fails (the in-process bus fails a publish only when its consumers stop);
 * the failed one is published again by a later round.
 *
 * A running relay starts a round as soon as its database commits outbox events, polls otherwise.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, bus, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? 1_000;

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let stopWatching: (() => void) | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let failures = 0;
  let ticking = false;
  let nudged = false;

  /** Logs a failed publish. @returns the error text stored on the row */
  const publishFailure = (row: OutboxMessage, attempts: number, error: unknown): string => {
    const message = error instanceof Error ? error.message.slice(0, 1_000) : String(error);
    logger.warn(
      { eventId: row.id, type: row.type, comune: row.comune, attempts, err: message },
      'outbox: publish failed, will retry',
    );
    return message;
  };

  const publishRows = async (em: EntityManager, rows: OutboxMessage[]): Promise<Round> => {
    const blocked = new Set<string>();
    let published = 0;
    let failed = 0;
    for (const row of rows) {
      const key = `${row.comune}|${row.subject}`;
      if (blocked.has(key)) {
        continue;
      }
      row.attempts += 1;
      try {
        await bus.publish(row.payload as EventEnvelope);
        row.publishedAt = new Date();
        row.lastError = null;
        published += 1;
      } catch (error) {
        failed += 1;
        blocked.add(key);
        row.lastError = publishFailure(row, row.attempts, error);
      }
      // Marking right away keeps the window for a duplicate publish after a crash small.
      await em.flush();
    }
    return { published, failed, more: rows.length === batchSize && failed === 0 };
  };

  // SQLite: one process owns the database, its relay and (embedded) the in-process bus, whose
  // publish resolves only once every consumer has handled the event: the notifier planning
  // deliveries, say. Rounds therefore do not wait for deliveries: each event is handed to the bus
  // in outbox order (the in-process bus delivers in that order), marked when its own publish
  // resolves, and at most `maxInFlight` are in flight; a new commit starts a round at once instead of
  // queueing behind slow consumers. (Waiting for an earlier event's deliveries before handing over
  // the next one of its subject tied every practice update to the notifier's backlog.)
  /** Events handed over and not yet marked, by id: no round picks them up again meanwhile. */
  const inDelivery = new Map<string, Promise<void>>();
  let publishedTotal = 0;
  let failedTotal = 0;

  const markRow = async (row: OutboxMessage, error?: string) => {
    const em = database.forkUnscoped();
    await em.nativeUpdate(
      OutboxMessage,
      { id: row.id },
      error === undefined
        ? { publishedAt: new Date(), attempts: row.attempts + 1, lastError: null }
        : { attempts: row.attempts + 1, lastError: error },
    );
  };

  const handOver = (row: OutboxMessage) => {
    const done = (async () => {
      try {
        await bus.publish(row.payload as EventEnvelope);
      } catch (error) {
        const message = publishFailure(row, row.attempts + 1, error);
        failedTotal += 1;
        failures += 1;
        schedule(Math.min(pollIntervalMs * 2 ** failures, maxBackoffMs));
        await markRow(row, message).catch((err: unknown) => logger.error({ err }, 'outbox: marking failed'));
        return;
      }
      publishedTotal += 1;
      failures = 0;
      // A failed mark only means a duplicate publish later, which the bus and the consumers'
      // inboxes absorb.
      await markRow(row).catch((err: unknown) =>
        logger.error({ err, eventId: row.id }, 'outbox: marking an event published failed'),
      );
    })();
    inDelivery.set(row.id, done);
    void done.finally(() => {
      const wasFull = inDelivery.size >= maxInFlight;
      inDelivery.delete(row.id);
      // A full relay skipped the rounds since: there is room again.
      if (wasFull) relay.nudge();
    });
  };

  const handOverRound = async (em: EntityManager): Promise<Round> => {
    const room = Math.min(batchSize, maxInFlight - inDelivery.size);
    if (room <= 0) return { published: 0, failed: 0, more: false };
    const rows = await em.find(
      OutboxMessage,
      inDelivery.size === 0
        ? { publishedAt: null }
        : { publishedAt: null, id: { $nin: [...inDelivery.keys()] } },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: room },
    );
    for (const row of rows) handOver(row);
    // Full: the next round comes when a delivery finishes. Otherwise a full batch means more may wait.
    return { published: 0, failed: 0, more: rows.length === room && inDelivery.size < maxInFlight };
  };

  /** Waits until every event handed over has settled, handing over what was pending meanwhile. */
  const settle = async (failedBefore: number) => {
    while (inDelivery.size > 0) {
      await Promise.allSettled([...inDelivery.values()]);
      if (failedTotal > failedBefore) return;
      await drain();
    }
  };

  const pending = (em: EntityManager) =>
    em.find(
      OutboxMessage,
      { publishedAt: null },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: batchSize },
    );

  const round = async (): Promise<Round> => {
    const em = database.forkUnscoped();
    if (database.driver === 'sqlite') {
      // No surrounding transaction: SQLite has one connection, and holding it while the bus delivers
      // (in-process, to consumers of this very database) would block them.
      return handOverRound(em);
    }
    return em.transactional(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }[]>(
        `select pg_try_advisory_xact_lock(hashtext('sportello.outbox-relay')) as locked`,
      );
      if (lock?.locked !== true) {
        return { published: 0, failed: 0, more: false };
      }
      return publishRows(tx, await pending(tx));
    });
  };

  /** Rounds until the outbox is drained or a round fails; rounds never overlap. */
  const drain = (): Promise<Round> => {
    const run = inFlight.then(async (): Promise<Round> => {
      const total: Round = { published: 0, failed: 0, more: false };
      for (;;) {
        const result = await round();
        total.published += result.published;
        total.failed += result.failed;
        if (!result.more) {
          return total;
        }
      }
    });
    inFlight = run.catch(() => undefined);
    return run;
  };

  const cancel = () => {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
  };

  const schedule = (delayMs: number) => {
    if (!running) {
      return;
    }
    cancel();
    const run = () => {
      timer = undefined;
      immediate = undefined;
      void tick();
    };
    // Right away means right after the current I/O callbacks, not a timer's millisecond later.
    if (delayMs === 0) immediate = setImmediate(run);
    else timer = setTimeout(run, delayMs);
  };

  const tick = async () => {
    ticking = true;
    nudged = false;
    try {
      const result = await drain();
      // On SQLite publishes settle after the round: they count failures (and successes) themselves.
      if (database.driver !== 'sqlite') failures = result.failed > 0 ? failures + 1 : 0;
    } catch (error) {
      failures += 1;
      logger.error({ err: error }, 'outbox: round failed');
    }
    ticking = false;
    if (failures > 0) {
      schedule(Math.min(pollIntervalMs * 2 ** failures, maxBackoffMs));
    } else {
      // A nudge that arrived during the round may concern an event the round did not see.
      schedule(nudged ? 0 : pollIntervalMs);
    }
  };

  const relay: OutboxRelay = {
    start() {
      if (running) {
        return;
      }
      running = true;
      if (options.publishOnCommit !== false) {
        // A commit announces its events from inside the committing transaction's async context. The
        // round must not run in it: an EntityManager reached there (the relay's, or a consumer's in
        // this process) would resolve to that transaction's, of another database. Rounds run in the
        // context the relay was started in.
        stopWatching = database.onEventsCommitted(AsyncResource.bind(() => relay.nudge()));
      }
      schedule(0);
    },
    async stop() {
      running = false;
      stopWatching?.();
      stopWatching = undefined;
      cancel();
      await inFlight;
      await Promise.allSettled([...inDelivery.values()]);
    },
    async flush() {
      if (database.driver !== 'sqlite') return (await drain()).published;
      const before = publishedTotal;
      const failedBefore = failedTotal;
      await drain();
      await settle(failedBefore);
      return publishedTotal - before;
    },
    nudge() {
      // While backing off, a nudge must not turn into a tight retry loop.
      if (!running || failures > 0) {
        return;
      }
      if (ticking) {
        nudged = true;
      } else {
        schedule(0);
      }
    },
  };
  return relay;
}
