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
  /** Longest wait between rounds while publishing keeps failing. @default 30_000 */
  maxBackoffMs?: number;
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
 * Order per subject holds: when an event fails to publish, the later events about the same subject
 * wait for the next round, while other subjects go on. Failed rounds back off exponentially.
 *
 * Replicas: on PostgreSQL each round runs in a transaction holding a transaction-level advisory lock
 * on the service database, so exactly one replica publishes at a time (the others find it taken and
 * skip the round), which also keeps the per-subject order across replicas. On SQLite the database
 * belongs to one process and one relay; rounds never overlap inside a relay.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, bus, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let failures = 0;
  let ticking = false;
  let nudged = false;

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
        row.lastError = error instanceof Error ? error.message.slice(0, 1_000) : String(error);
        logger.warn(
          { eventId: row.id, type: row.type, comune: row.comune, attempts: row.attempts, err: row.lastError },
          'outbox: publish failed, will retry',
        );
      }
      // Marking right away keeps the window for a duplicate publish after a crash small.
      await em.flush();
    }
    return { published, failed, more: rows.length === batchSize && failed === 0 };
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
      return publishRows(em, await pending(em));
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

  const schedule = (delayMs: number) => {
    if (!running) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void tick();
    }, delayMs);
  };

  const tick = async () => {
    ticking = true;
    nudged = false;
    try {
      const result = await drain();
      failures = result.failed > 0 ? failures + 1 : 0;
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

  return {
    start() {
      if (running) {
        return;
      }
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
    async flush() {
      return (await drain()).published;
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
}
