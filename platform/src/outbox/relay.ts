import { AsyncResource } from 'node:async_hooks';
import { raw, type EntityData } from '@mikro-orm/core';
import { LANES, laneOf, laneRank, typesOfLane, type EventEnvelope, type Lane } from '@sportello/schema';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus.js';
import type { Database, EntityManager } from '../database/database.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { OutboxMessage } from './outbox-message.entity.js';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  database: Database;
  bus: EventBus;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** How often the outbox is polled when nothing nudges the relay. @default 1_000 */
  pollIntervalMs?: number;
  /** Events read per round. @default 500 */
  batchSize?: number;
  /**
   * PostgreSQL: publishes awaiting the bus's acknowledgement at once (never two of one subject).
   * @default 64
   */
  publishWindow?: number;
  /** Where published events, failures and the commit-to-bus lag are counted. */
  metrics?: ServiceMetrics;
  /**
   * SQLite: events handed to the bus and not yet delivered, at most, per lane. Past it, new events
   * of that lane wait for deliveries to finish (the in-process bus holds them in its consumers'
   * queues meanwhile); a full bulk lane never keeps an alert from being handed over. @default 1_000
   */
  maxInFlight?: number;
  /**
   * SQLite: longest wait of a published event for the statement that marks it, so the events
   * published meanwhile are marked together (a burst costs one UPDATE per interval, not one per
   * event). Until then rounds skip it; a crash republishes it, which the inboxes absorb.
   * `flush` and `stop` mark at once. @default 100
   */
  markIntervalMs?: number;
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

/** Ids per marking statement: well within both drivers' bound on parameters. */
const MARK_BATCH = 1_000;

/**
 * The rank of a row's lane, as SQL: critical 0, interactive 1, anything else bulk (so no type is
 * ever left behind). A new fragment per query: MikroORM consumes a raw key once used.
 */
const LANE_ORDER_SQL = (() => {
  const critical = typesOfLane('critical');
  const interactive = typesOfLane('interactive');
  const list = (types: readonly string[]) => types.map(() => '?').join(', ');
  return {
    sql: `case when type in (${list(critical)}) then 0 when type in (${list(interactive)}) then 1 else 2 end`,
    params: [...critical, ...interactive],
  };
})();
const laneOrder = () => raw(LANE_ORDER_SQL.sql, LANE_ORDER_SQL.params);

/** A publish the bus refused, with the error text stored on its row. */
interface Failure {
  row: OutboxMessage;
  error: string;
}

interface Round {
  published: number;
  failed: number;
  /** A full batch went out: more may be waiting. */
  more: boolean;
}

/**
 * One relay per service process publishes that service's outbox to the bus and marks each event
 * published. The event id is the bus de-duplication key, so an event published again after a crash
 * between publish and mark is delivered once.
 *
 * Lanes first: each round reads critical events, then interactive, then bulk, each oldest first, so
 * an alert committed behind a 20,000-event billing run goes out in the next round, not after it. On
 * PostgreSQL a round publishing a lower lane stops feeding the bus as soon as this process commits
 * an event of a higher one: the round ends after the publishes in flight (at most `publishWindow`)
 * and the next one starts with it, instead of after the rest of a 500-event batch.
 * Order is kept per subject; across subjects only within a lane.
 *
 * PostgreSQL: events are sent in that order with up to `publishWindow` awaiting the bus's
 * acknowledgement at once, the next event of a subject only once the previous one is acknowledged
 * (meanwhile the events of other subjects behind it go on: it takes a slot of the window, it does
 * not stop the round); when one fails, the later events about the same subject wait for the next
 * round, while other subjects go on. Each round runs in a transaction holding a transaction-level
 * advisory lock on the service database, so exactly one replica publishes at a time (the others
 * find it taken and skip the round), which also keeps the per-subject order across replicas; the
 * round marks what it published in one statement. Failures back off exponentially.
 *
 * SQLite: the database belongs to one process and one relay: a round hands events to the bus in
 * that order without waiting for their deliveries (at most `maxInFlight` per lane), so a slow
 * consumer of one event does not delay the next commit's events. There, an event already handed
 * over is not held back when an earlier one of its subject fails (the in-process bus fails a publish
 * only when its consumers stop); the failed one is published again by a later round. The events
 * published within `markIntervalMs` are marked together, in one statement.
 *
 * A running relay starts a round as soon as its database commits outbox events, polls otherwise.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, bus, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 500;
  const publishWindow = options.publishWindow ?? 64;
  const metrics = options.metrics;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? 1_000;
  const markIntervalMs = options.markIntervalMs ?? 100;

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let stopWatching: (() => void) | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let failures = 0;
  let ticking = false;
  let nudged = false;
  /**
   * The highest lane (its rank) committed in this process since the current round read the outbox:
   * a round publishing lower lanes stops feeding the bus when it is higher than theirs.
   */
  let urgentRank: number = LANES.length;

  /** Logs a failed publish. @returns the error text stored on the row */
  const publishFailure = (row: OutboxMessage, attempts: number, error: unknown): string => {
    const message = error instanceof Error ? error.message.slice(0, 1_000) : String(error);
    metrics?.outboxPublishFailures.inc({ lane: laneOf(row.type) });
    logger.warn(
      { eventId: row.id, type: row.type, comune: row.comune, attempts, err: message },
      'outbox: publish failed, will retry',
    );
    return message;
  };

  /** Counts a published event: by lane, and the time since its commit. */
  const published = (row: OutboxMessage) => {
    if (!metrics) return;
    const lane = laneOf(row.type);
    metrics.outboxPublished.inc({ lane });
    metrics.relayLag.observe({ lane }, Math.max(0, Date.now() - row.createdAt.getTime()) / 1000);
  };

  const publishRows = async (em: EntityManager, rows: OutboxMessage[]): Promise<Round> => {
    /** Subjects whose event failed this round: their later events wait for the next one. */
    const blocked = new Set<string>();
    /** The publish in flight of each subject. */
    const lastOfSubject = new Map<string, Promise<boolean>>();
    const window = new Set<Promise<boolean>>();
    const done: OutboxMessage[] = [];
    const failures: Failure[] = [];
    let preempted = false;
    for (const row of rows) {
      // An alert committed while a billing run's events go out: the round ends after those in
      // flight, and the next one reads the alert first (rather than after the whole batch).
      if (urgentRank < laneRank(laneOf(row.type))) {
        preempted = true;
        break;
      }
      const key = `${row.comune}|${row.subject}`;
      if (blocked.has(key)) continue;
      while (window.size >= publishWindow) await Promise.race(window);
      if (blocked.has(key)) continue;
      // The next event of a subject goes out once the previous one is acknowledged, without holding
      // up the events of other subjects behind it (a practice's three events of one submission
      // each waited for the bus in turn, and with them every other practice of the round).
      const previous = lastOfSubject.get(key) ?? Promise.resolve(true);
      const attempt = previous.then((ok) => {
        // Its predecessor failed: it waits for the next round, neither published nor failed.
        if (!ok) return false;
        return bus.publish(row.payload as EventEnvelope).then(
          () => {
            done.push(row);
            published(row);
            return true;
          },
          (error: unknown) => {
            blocked.add(key);
            failures.push({ row, error: publishFailure(row, row.attempts + 1, error) });
            return false;
          },
        );
      });
      window.add(attempt);
      lastOfSubject.set(key, attempt);
      void attempt.finally(() => window.delete(attempt));
    }
    await Promise.all(window);
    // Still in the round's transaction: no other replica reads these rows before they are marked.
    await markFailed(em, failures);
    await markPublished(em, done);
    return {
      published: done.length,
      failed: failures.length,
      more: (preempted || rows.length === batchSize) && failures.length === 0,
    };
  };

  /** Updates rows by id, in as few statements as the driver's parameter bound allows. */
  const updateByIds = async (
    em: EntityManager,
    rows: readonly OutboxMessage[],
    data: EntityData<OutboxMessage>,
  ) => {
    for (let start = 0; start < rows.length; start += MARK_BATCH) {
      const ids = rows.slice(start, start + MARK_BATCH).map((row) => row.id);
      await em.nativeUpdate(OutboxMessage, { id: { $in: ids } }, data);
    }
  };

  /** Marks rows published. */
  const markPublished = (em: EntityManager, rows: readonly OutboxMessage[]) =>
    updateByIds(em, rows, { publishedAt: new Date(), attempts: raw('attempts + 1'), lastError: null });

  /** Counts failed attempts, one statement per error text (an outage fails every event alike). */
  const markFailed = async (em: EntityManager, failures: readonly Failure[]) => {
    const byError = new Map<string, OutboxMessage[]>();
    for (const { row, error } of failures) {
      const rows = byError.get(error);
      if (rows === undefined) byError.set(error, [row]);
      else rows.push(row);
    }
    for (const [error, rows] of byError) {
      await updateByIds(em, rows, { attempts: raw('attempts + 1'), lastError: error });
    }
  };

  /** Pending rows, lanes first, each oldest first, up to `limit` in all (`room` per lane on SQLite). */
  const pendingByLane = async (
    em: EntityManager,
    limit: number,
    room: (lane: Lane) => number = () => limit,
    skip: (lane: Lane) => readonly string[] = () => [],
  ): Promise<OutboxMessage[]> => {
    // Every lane has room for the whole batch (always so on PostgreSQL): the lanes in turn are one
    // statement, ordered by lane first, instead of one per lane at each round.
    if (LANES.every((lane) => room(lane) >= limit)) {
      const skipped = LANES.flatMap(skip);
      return em.find(
        OutboxMessage,
        { publishedAt: null, ...(skipped.length > 0 ? { id: { $nin: skipped } } : {}) },
        { orderBy: [{ [laneOrder()]: 'asc' }, { createdAt: 'asc', id: 'asc' }], limit },
      );
    }
    const rows: OutboxMessage[] = [];
    for (const lane of LANES) {
      const wanted = Math.min(limit - rows.length, room(lane));
      if (wanted <= 0) continue;
      const skipped = skip(lane);
      rows.push(
        ...(await em.find(
          OutboxMessage,
          {
            publishedAt: null,
            // Bulk takes whatever is not of a higher lane, so no type is ever left behind.
            type:
              lane === 'bulk'
                ? { $nin: [...typesOfLane('critical'), ...typesOfLane('interactive')] }
                : { $in: typesOfLane(lane) },
            ...(skipped.length > 0 ? { id: { $nin: [...skipped] } } : {}),
          },
          { orderBy: { createdAt: 'asc', id: 'asc' }, limit: wanted },
        )),
      );
      if (rows.length >= limit) break;
    }
    return rows;
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
  /** The same, by lane: each lane has `maxInFlight` of room of its own. */
  const inDeliveryByLane = new Map<Lane, Set<string>>(LANES.map((lane) => [lane, new Set<string>()]));
  let publishedTotal = 0;
  let failedTotal = 0;

  /**
   * Published events not marked yet (waiting, or being marked), by lane: rounds skip them, but they
   * take no room of their lane's `maxInFlight`.
   */
  const unmarkedByLane = new Map<Lane, Set<string>>(LANES.map((lane) => [lane, new Set<string>()]));
  /** Published events waiting for the next mark. */
  let toMark: OutboxMessage[] = [];
  let markTimer: NodeJS.Timeout | undefined;
  /** The marks written so far, one after the other. */
  let marking: Promise<void> = Promise.resolve();

  /** Marks every published event waiting, in one statement (per 1,000). */
  const markNow = (): Promise<void> => {
    clearTimeout(markTimer);
    markTimer = undefined;
    const rows = toMark;
    toMark = [];
    if (rows.length === 0) return marking;
    marking = marking.then(async () => {
      // A failed mark only means a duplicate publish later, which the bus and the consumers'
      // inboxes absorb.
      await markPublished(database.forkUnscoped(), rows).catch((err: unknown) =>
        logger.error({ err, events: rows.length }, 'outbox: marking events published failed'),
      );
      // Only now may a round read them again: marked, it finds them published; not, it republishes.
      for (const row of rows) unmarkedByLane.get(laneOf(row.type))!.delete(row.id);
    });
    return marking;
  };

  /** Queues a published event for the next mark, at most `markIntervalMs` away. */
  const markLater = (row: OutboxMessage) => {
    toMark.push(row);
    unmarkedByLane.get(laneOf(row.type))!.add(row.id);
    if (toMark.length >= MARK_BATCH) void markNow();
    else markTimer ??= setTimeout(() => void markNow(), markIntervalMs);
  };

  const handOver = (row: OutboxMessage) => {
    const lane = laneOf(row.type);
    const done = (async () => {
      try {
        await bus.publish(row.payload as EventEnvelope);
      } catch (error) {
        const message = publishFailure(row, row.attempts + 1, error);
        markBacklog(lane);
        failedTotal += 1;
        failures += 1;
        schedule(Math.min(pollIntervalMs * 2 ** failures, maxBackoffMs));
        await markFailed(database.forkUnscoped(), [{ row, error: message }]).catch((err: unknown) =>
          logger.error({ err }, 'outbox: marking failed'),
        );
        return;
      }
      publishedTotal += 1;
      failures = 0;
      published(row);
      markLater(row);
    })();
    inDelivery.set(row.id, done);
    inDeliveryByLane.get(lane)!.add(row.id);
    void done.finally(() => {
      const lanePending = inDeliveryByLane.get(lane)!;
      const wasFull = lanePending.size >= maxInFlight;
      inDelivery.delete(row.id);
      lanePending.delete(row.id);
      // A full lane skipped the rounds since: there is room again.
      if (wasFull) relay.nudge();
    });
  };

  const room = (lane: Lane) => maxInFlight - inDeliveryByLane.get(lane)!.size;

  /**
   * SQLite, direct hand-over: events this process commits go to the bus from the commit itself,
   * without a round reading them back (a round waits for the one connection behind every request's
   * statements, and under a burst that wait was most of an update's way to the client). A lane may
   * hand over directly only while the outbox holds nothing of it that has not been handed over:
   * otherwise a newer event could overtake an older one of its subject. A lane has such a backlog
   * from the start until a round reads it all, and again whenever one of its events is left to a
   * round (a round was reading, its room was full, or a publish failed). `backlogMarks` counts
   * those moments, so a round clears only what it read after the last one.
   */
  const backlogMarks = new Map<Lane, number>(LANES.map((lane) => [lane, 1]));
  const clearedMarks = new Map<Lane, number>(LANES.map((lane) => [lane, 0]));
  const hasBacklog = (lane: Lane) => backlogMarks.get(lane)! !== clearedMarks.get(lane)!;
  const markBacklog = (lane: Lane) => backlogMarks.set(lane, backlogMarks.get(lane)! + 1);
  /** Whether every lane has been read in full once since start (what an earlier run left). */
  const startupBacklogRead = () => LANES.every((lane) => clearedMarks.get(lane)! >= 1);
  let roundsReading = 0;

  /** Hands committed rows to the bus now. @returns false when they are left to a round instead */
  const handOverCommitted = (rows: readonly OutboxMessage[]): boolean => {
    const wanted = new Map<Lane, number>();
    for (const row of rows) {
      const lane = laneOf(row.type);
      wanted.set(lane, (wanted.get(lane) ?? 0) + 1);
    }
    const direct =
      running &&
      failures === 0 &&
      roundsReading === 0 &&
      [...wanted].every(([lane, count]) => !hasBacklog(lane) && room(lane) >= count);
    if (!direct) {
      for (const lane of wanted.keys()) markBacklog(lane);
      return false;
    }
    for (const row of rows) handOver(row);
    return true;
  };

  const handOverRound = async (em: EntityManager): Promise<Round> => {
    const marksBefore = new Map(backlogMarks);
    const roomBefore = new Map(LANES.map((lane) => [lane, room(lane)]));
    roundsReading += 1;
    let rows: OutboxMessage[];
    try {
      rows = await pendingByLane(em, batchSize, room, (lane) => [
        ...inDeliveryByLane.get(lane)!,
        ...unmarkedByLane.get(lane)!,
      ]);
    } finally {
      roundsReading -= 1;
    }
    for (const row of rows) handOver(row);
    let cutByRoom = false;
    for (const lane of LANES) {
      const read = rows.filter((row) => laneOf(row.type) === lane).length;
      // A lane read in full (fewer rows than it had room for, and not cut by the batch) has nothing
      // left in the outbox that was committed before the read.
      if (read < roomBefore.get(lane)!) {
        if (rows.length < batchSize) clearedMarks.set(lane, marksBefore.get(lane)!);
      } else if (room(lane) > 0) {
        // Cut by its room, which deliveries have freed since the read: more may wait. (A lane full
        // now gets its next round when one of its deliveries finishes.)
        cutByRoom = true;
      }
    }
    return { published: 0, failed: 0, more: rows.length === batchSize || cutByRoom };
  };

  /** Waits until every event handed over has settled, handing over what was pending meanwhile. */
  const settle = async (failedBefore: number) => {
    for (;;) {
      if (inDelivery.size > 0) await Promise.allSettled([...inDelivery.values()]);
      if (failedTotal > failedBefore) return;
      // Lanes that were full got room: what waited is handed over now; nothing left, nothing handed.
      await drain();
      if (inDelivery.size === 0) return;
    }
  };

  const pending = (em: EntityManager) => pendingByLane(em, batchSize);

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
      // What is committed from here on, this round's reads may not see: it preempts lower lanes.
      urgentRank = LANES.length;
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
        stopWatching = database.onEventsCommitted(
          AsyncResource.bind(
            (_ids: readonly string[], events: readonly EventEnvelope[], rows: readonly OutboxMessage[]) => {
              if (database.driver === 'sqlite') {
                if (handOverCommitted(rows)) return;
                // Left to a round (its lane's deliveries have a backlog): live listeners hear of it
                // now all the same, in commit order, rather than once the notifier has caught up.
                // Not before the outbox's earlier events (of a previous run) have been read: they
                // come first.
                if (startupBacklogRead()) for (const event of events) bus.announce?.(event);
              }
              for (const event of events) urgentRank = Math.min(urgentRank, laneRank(laneOf(event.type)));
              relay.nudge();
            },
          ),
        );
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
      await markNow();
    },
    async flush() {
      if (database.driver !== 'sqlite') return (await drain()).published;
      const before = publishedTotal;
      const failedBefore = failedTotal;
      await drain();
      await settle(failedBefore);
      await markNow();
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
