import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { EventValidationError, type EventEnvelope } from '@sportello/schema';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { EventBus } from '../bus/event-bus.js';
import { createInProcessBus } from '../bus/in-process-bus.js';
import { publishOnlyBus } from '../bus/test-support/publish-only-bus.js';
import type { Database, EntityManager } from '../database/database.js';
import { TenantViolationError } from '../database/tenancy.js';
import { Note } from '../database/test-support/entities.js';
import {
  DRIVERS,
  scratchDatabase,
  TEST_POSTGRES_URL,
  type ScratchDatabase,
} from '../database/test-support/databases.js';
import { migratedScratchDatabase } from '../database/test-support/migrated-scratch.js';
import { assertMigrationsMatchEntities } from '../database/migrations.js';
import { OUTBOX_MIGRATIONS } from './outbox-migrations.js';
import { handleOnce } from './inbox.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { recordEvent } from './record-event.js';
import { createOutboxRelay } from './relay.js';
import { alertEvent, auditEvent } from './test-support/outbox-events.js';

const ROMA = '058091';
const MILANO = '015146';
const logger = pino({ level: 'silent' });

/** A bus that records what is published; `fail` decides which publishes throw. */
function recordingBus(fail: (event: EventEnvelope) => boolean = () => false) {
  const published: EventEnvelope[] = [];
  let calls = 0;
  const bus = publishOnlyBus(async (event) => {
    calls += 1;
    if (fail(event)) {
      throw new Error(`bus unavailable for ${event.subject}`);
    }
    published.push(event);
  });
  return { bus, published, calls: () => calls };
}

/** A bus whose publishes of the subjects `held` picks resolve only after `release()`. */
function gatedBus(held: (subject: string) => boolean) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const published: string[] = [];
  const bus = publishOnlyBus(async (event) => {
    published.push(event.subject);
    if (held(event.subject)) await gate;
  });
  return { bus, published, release };
}

/** A statement the database ran, as MikroORM's logger reports it. */
interface Statement {
  sql: string;
  failed: boolean;
}

/** Every statement `database` runs from now on, read through MikroORM's query logger. */
function statementLog(database: Database) {
  const ormLogger = database.orm.config.getLogger();
  const logQuery = ormLogger.logQuery.bind(ormLogger);
  const statements: Statement[] = [];
  ormLogger.logQuery = (context) => {
    statements.push({ sql: context.query ?? '', failed: context.level === 'error' });
    logQuery(context);
  };
  return {
    /** The statements logged since the last call. */
    take: () => statements.splice(0),
  };
}

const updatesOfOutbox = (statements: readonly Statement[]) =>
  statements.filter((statement) => /^update\s+["`]outbox_message["`]/i.test(statement.sql));
const readsOfOutbox = (statements: readonly Statement[]) =>
  statements.filter((statement) => /^select .* from\s+["`]outbox_message["`]/i.test(statement.sql));
const ofInbox = (statements: readonly Statement[]) =>
  statements.filter((statement) => /["`]inbox_entry["`]/.test(statement.sql));

/** Resolves once `check` holds, re-checking it with `vi.waitFor`. */
async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('condition not met in time');
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/**
 * Resolves once `check` holds, re-checking it at every turn of the event loop. Unlike `vi.waitFor`
 * and `expect.poll`, it never moves fake timers on: the test alone decides when time passes.
 */
async function untilTrue(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A wait that resolves once another session of `observer`'s database waits for a lock (on
 * PostgreSQL; SQLite runs one transaction at a time, so no session can be waiting there).
 * `observer` is a handle of its own, and the wait runs in the context it was made in, never in a
 * caller's transaction: the connections of the transactions' pool may all be taken by sessions
 * waiting for the lock.
 */
function lockQueueWatch(observer: Database): () => Promise<void> {
  return AsyncResource.bind(async () => {
    if (observer.driver !== 'postgresql') return;
    await waitFor(async () => {
      const [row] = await observer
        .forkUnscoped()
        .execute<{ waiting: number }[]>(
          `select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
      return (row?.waiting ?? 0) > 0;
    }, 10_000);
  });
}

describe.each(DRIVERS)('outbox on %s', (driver) => {
  let scratch: ScratchDatabase;
  let database: Database;

  beforeEach(async () => ({ scratch, database } = await migratedScratchDatabase(driver)));
  afterEach(() => scratch.dispose());

  const outboxRows = () =>
    database.forkUnscoped().find(OutboxMessage, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });

  test('an entity and its event are committed together, or neither is', async () => {
    const em = database.fork({ comune: ROMA });
    const note = em.create(Note, { id: randomUUID(), comune: ROMA, title: 'first' });
    const event = alertEvent(ROMA, note.id);
    recordEvent(em, event);
    await em.flush();

    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: event.id,
      type: 'alert.issued',
      busSubject: `sportello.${ROMA}.civil-protection.alert.issued`,
      comune: ROMA,
      publishedAt: null,
      attempts: 0,
      payload: event,
    });

    // The same note id again: the insert fails, and the event written with it is gone too.
    const failing = database.fork({ comune: ROMA });
    failing.create(Note, { id: note.id, comune: ROMA, title: 'duplicate' });
    recordEvent(failing, alertEvent(ROMA, note.id));
    await expect(failing.flush()).rejects.toThrow();
    expect(await outboxRows()).toHaveLength(1);
    expect(await database.fork({ comune: ROMA }).count(Note)).toBe(1);
  });

  test('an event of another comune is rejected like any cross-tenant write', async () => {
    const em = database.fork({ comune: ROMA });
    recordEvent(em, alertEvent(MILANO, 'n1'));
    await expect(em.flush()).rejects.toThrow(TenantViolationError);
    expect(await outboxRows()).toHaveLength(0);
  });

  test('an event that does not match the catalogue is refused before anything is written', async () => {
    const em = database.fork({ comune: ROMA });
    const event = alertEvent(ROMA, 'a1');
    expect(() => recordEvent(em, { ...event, id: 'not-a-uuid' })).toThrow(EventValidationError);
    expect(() =>
      recordEvent(em, { ...event, data: { ...(event.data as object), colour: 'purple' } }),
    ).toThrow(/data\.colour/);
    expect(() => recordEvent(em, { ...event, type: 'alert.invented' })).toThrow(/not in the event catalogue/);
    await em.flush();
    expect(await outboxRows()).toHaveLength(0);
  });

  test('the relay publishes each pending event once, in order, and marks it', async () => {
    const { bus, published } = recordingBus();
    const relay = createOutboxRelay({ database, bus, logger, batchSize: 2 });
    const em = database.fork({ comune: ROMA });
    const events = [
      alertEvent(ROMA, 'a'),
      alertEvent(ROMA, 'b'),
      alertEvent(ROMA, 'a'),
      alertEvent(ROMA, 'c'),
    ];
    for (const event of events) {
      recordEvent(em, event);
      await em.flush();
    }

    expect(await relay.flush()).toBe(4);
    expect(published.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(published[0]).toEqual(events[0]);
    const rows = await outboxRows();
    expect(rows.every((row) => row.publishedAt instanceof Date && row.attempts === 1)).toBe(true);

    expect(await relay.flush()).toBe(0);
    expect(published).toHaveLength(4);
  });

  test('an alert committed behind a bulk backlog is published first, the backlog after it in order', async () => {
    const { bus, published } = recordingBus();
    const relay = createOutboxRelay({ database, bus, logger, batchSize: 10 });
    const em = database.fork({ comune: ROMA });
    const backlog = Array.from({ length: 25 }, (_, i) => auditEvent(ROMA, `read-${i}`));
    for (const event of backlog) recordEvent(em, event);
    await em.flush();
    const alert = alertEvent(ROMA, 'red-alert', 'red');
    recordEvent(em, alert);
    await em.flush();

    expect(await relay.flush()).toBe(26);
    expect(published.map((e) => e.id)).toEqual([alert.id, ...backlog.map((e) => e.id)]);
    expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
  });

  test.runIf(driver === 'postgresql')(
    'an alert committed while a round publishes a bulk backlog goes out before the rest of that round',
    async () => {
      const em = database.fork({ comune: ROMA });
      const backlog = Array.from({ length: 1_000 }, (_, i) => auditEvent(ROMA, `read-${i}`));
      for (const event of backlog) recordEvent(em, event);
      await em.flush();
      const alert = alertEvent(ROMA, 'red-alert', 'red');
      const published: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      // From the 20th on, bulk events are held on their way to the bus until the alert is committed.
      const bus = publishOnlyBus(async (event) => {
        published.push(event.id);
        if (published.length >= 20) await held;
      });
      const window = 8;
      const relay = createOutboxRelay({
        database,
        bus,
        logger,
        publishWindow: window,
        pollIntervalMs: 60_000,
      });
      relay.start();
      try {
        await waitFor(() => published.length >= 20, 30_000);
        const office = database.fork({ comune: ROMA });
        recordEvent(office, alert);
        await office.flush();
        release();
        await waitFor(() => published.length === backlog.length + 1, 60_000);
        // Behind the events already in flight when it was committed, not behind the round's 500.
        const position = published.indexOf(alert.id);
        expect(position).toBeGreaterThanOrEqual(20);
        expect(position).toBeLessThanOrEqual(20 + window);
        // The backlog in its order around it, each event once.
        expect(published.filter((id) => id !== alert.id)).toEqual(backlog.map((event) => event.id));
      } finally {
        await relay.stop();
      }
    },
  );

  test('a failed publish is retried later, without overtaking events of its subject', async () => {
    let outage = true;
    const { bus, published } = recordingBus((event) => outage && event.subject === 'a');
    const relay = createOutboxRelay({ database, bus, logger });
    const em = database.fork({ comune: ROMA });
    const a1 = alertEvent(ROMA, 'a');
    const b1 = alertEvent(ROMA, 'b');
    const a2 = alertEvent(ROMA, 'a');
    for (const event of [a1, b1, a2]) {
      recordEvent(em, event);
      await em.flush();
    }

    expect(await relay.flush()).toBe(1);
    expect(published.map((e) => e.id)).toEqual([b1.id]);
    const failed = await database.forkUnscoped().findOneOrFail(OutboxMessage, { id: a1.id });
    expect(failed).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'bus unavailable for a' });
    // PostgreSQL holds a2 back behind a1; SQLite hands it over too (and this outage refuses it).
    expect(await database.forkUnscoped().findOneOrFail(OutboxMessage, { id: a2.id })).toMatchObject({
      attempts: driver === 'sqlite' ? 1 : 0,
      publishedAt: null,
    });

    outage = false;
    expect(await relay.flush()).toBe(2);
    expect(published.map((e) => e.id)).toEqual([b1.id, a1.id, a2.id]);
  });

  test.runIf(driver === 'postgresql')(
    'an event waiting for the acknowledgement of its subject’s previous one holds back no other subject',
    async () => {
      let acknowledge!: () => void;
      const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
      const sent: string[] = [];
      // The bus acknowledges the first event of practice `a` only when the test says so.
      const bus = publishOnlyBus(async (event) => {
        sent.push(event.id);
        if (sent.length === 1) await acknowledged;
      });
      const relay = createOutboxRelay({ database, bus, logger });
      const em = database.fork({ comune: ROMA });
      const [a1, a2, b1, c1] = [
        alertEvent(ROMA, 'a'),
        alertEvent(ROMA, 'a'),
        alertEvent(ROMA, 'b'),
        alertEvent(ROMA, 'c'),
      ];
      for (const event of [a1, a2, b1, c1]) {
        recordEvent(em, event);
        await em.flush();
      }

      const flushed = relay.flush();
      try {
        // b and c go out while a's first event waits for the bus; a's second waits for it.
        await waitFor(() => sent.length === 3);
        expect(sent).toEqual([a1.id, b1.id, c1.id]);
      } finally {
        acknowledge();
      }
      expect(await flushed).toBe(4);
      expect(sent).toEqual([a1.id, b1.id, c1.id, a2.id]);
      expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
    },
  );

  test('a running relay publishes on a nudge and backs off while the bus is down', async () => {
    let down = false;
    const { bus, published, calls } = recordingBus(() => down);
    const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000 });
    relay.start();
    try {
      const em = database.fork({ comune: ROMA });
      const event = alertEvent(ROMA, 'n1');
      recordEvent(em, event);
      await em.flush();
      relay.nudge();
      await waitFor(() => published.length === 1);

      await relay.stop();
      down = true;
      const backingOff = createOutboxRelay({
        database,
        bus,
        logger,
        pollIntervalMs: 20,
        maxBackoffMs: 1_000,
      });
      recordEvent(em, alertEvent(ROMA, 'n2'));
      await em.flush();
      const before = calls();
      // Virtual time: the relay's back-off timer fires only when the test moves the clock on, and
      // the clock moves only while the relay waits on that timer (never during a round's I/O).
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        backingOff.start();
        await untilTrue(() => calls() > before && vi.getTimerCount() > 0, 'the first attempt');
        for (let elapsed = 0; elapsed < 600; elapsed += 10) {
          backingOff.nudge();
          await vi.advanceTimersByTimeAsync(10);
          // The timer fired: a round runs, and ends by setting the next one.
          await untilTrue(() => vi.getTimerCount() > 0, 'the next back-off timer');
        }
        await backingOff.stop();
      } finally {
        vi.useRealTimers();
      }
      // 40, 80, 160, 320 ms between attempts (at 0, 40, 120, 280 and 600 ms of virtual time): a
      // handful, not one per nudge or per 20 ms.
      const attempts = calls() - before;
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect(attempts).toBeLessThanOrEqual(7);
      expect(published).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  test('a commit announces its outbox events once committed, a rollback never', async () => {
    const announced: string[][] = [];
    const stop = database.onEventsCommitted((ids) => announced.push([...ids]));
    try {
      const em = database.fork({ comune: ROMA });
      const plain = alertEvent(ROMA, 'plain');
      recordEvent(em, plain);
      await em.flush();
      expect(announced).toEqual([[plain.id]]);

      const outer = alertEvent(ROMA, 'outer');
      const nested = alertEvent(ROMA, 'nested');
      const abandoned = alertEvent(ROMA, 'abandoned');
      await database.fork({ comune: ROMA }).transactional(async (tx) => {
        recordEvent(tx, outer);
        await tx.flush();
        await tx.transactional(async (inner) => {
          recordEvent(inner, nested);
          await inner.flush();
        });
        await expect(
          tx.transactional(async (inner) => {
            recordEvent(inner, abandoned);
            await inner.flush();
            throw new Error('savepoint rolled back');
          }),
        ).rejects.toThrow('savepoint rolled back');
        // Flushed, savepoint released, but not committed: nobody may publish them yet.
        expect(announced).toHaveLength(1);
      });
      expect(announced.slice(1).flat().sort()).toEqual([outer.id, nested.id].sort());

      await expect(
        database.fork({ comune: ROMA }).transactional(async (tx) => {
          recordEvent(tx, alertEvent(ROMA, 'rolled-back'));
          await tx.flush();
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const later = database.fork({ comune: ROMA });
      later.create(Note, { id: randomUUID(), comune: ROMA, title: 'no event' });
      await later.flush();
      expect(announced.flat()).toEqual([plain.id, ...announced.slice(1).flat()]);
      expect(announced.flat()).toHaveLength(3);
    } finally {
      stop();
    }
  });

  test('a running relay publishes an event as soon as its transaction commits, with no nudge or poll', async () => {
    const { bus, published } = recordingBus();
    const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000 });
    relay.start();
    try {
      await relay.flush(); // the round `start` began is over: only a commit can start another
      const event = alertEvent(ROMA, 'committed');
      await database.fork({ comune: ROMA }).transactional(async (tx) => {
        recordEvent(tx, event);
        await tx.flush();
      });
      await waitFor(() => published.length === 1);
      expect(published[0]?.id).toBe(event.id);
    } finally {
      await relay.stop();
    }
  });

  test.runIf(driver === 'sqlite')(
    'a slow delivery holds up neither later events nor later rounds',
    async () => {
      // In-process, publish resolves once consumers have handled the event, which may take long.
      const { bus, published, release } = gatedBus((subject) => subject === 'slow');
      const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000 });
      relay.start();
      try {
        const em = database.fork({ comune: ROMA });
        recordEvent(em, alertEvent(ROMA, 'slow'));
        await em.flush();
        await waitFor(() => published.includes('slow'));
        recordEvent(em, alertEvent(ROMA, 'slow'));
        recordEvent(em, alertEvent(ROMA, 'quick'));
        await em.flush();
        await waitFor(() => published.includes('quick'));
        // Handed over in outbox order while the first is still being delivered, none twice.
        expect(published).toEqual(['slow', 'slow', 'quick']);
        release();
        await relay.flush();
        expect(published).toEqual(['slow', 'slow', 'quick']);
        expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
      } finally {
        release();
        await relay.stop();
      }
    },
  );

  test.runIf(driver === 'sqlite')(
    'keeps at most maxInFlight events waiting for their deliveries',
    async () => {
      const { bus, published, release } = gatedBus(() => true);
      const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000, maxInFlight: 2 });
      relay.start();
      try {
        const em = database.fork({ comune: ROMA });
        for (const subject of ['e1', 'e2', 'e3']) recordEvent(em, alertEvent(ROMA, subject));
        await em.flush();
        await waitFor(() => published.length === 2);
        // Committed with e4, an event of another lane: once it is handed over, a round has read e4
        // and left it (and e3) waiting.
        recordEvent(em, alertEvent(ROMA, 'e4'));
        recordEvent(em, auditEvent(ROMA, 'other-lane'));
        await em.flush();
        await waitFor(() => published.includes('other-lane'));
        expect(published).toEqual(['e1', 'e2', 'other-lane']);
        release();
        await relay.flush();
        expect(published).toEqual(['e1', 'e2', 'other-lane', 'e3', 'e4']);
      } finally {
        release();
        await relay.stop();
      }
    },
  );

  describe('statements', () => {
    let consumerScratch: ScratchDatabase;
    let consumerDatabase: Database;
    beforeEach(async () => {
      consumerScratch = await scratchDatabase(driver);
      consumerDatabase = await consumerScratch.open();
      await consumerDatabase.migrate();
    });
    afterEach(async () => {
      await consumerScratch.dispose();
    });

    /**
     * The embedded hub's bus: a publish resolves once a consumer has applied the event through its
     * inbox in a database of its own, so the events of a round are delivered at different moments.
     */
    async function busWithConsumer() {
      const inProcess = createInProcessBus();
      await inProcess.consume({ name: 'notes', subjects: ['sportello.>'] }, async (event) => {
        await handleOnce(consumerDatabase.fork({ comune: ROMA }), 'notes', event, (em) => {
          em.create(Note, { id: randomUUID(), comune: ROMA, title: event.id });
          return Promise.resolve();
        });
      });
      let publishes = 0;
      const bus: EventBus = {
        ...inProcess,
        publish: (event) => {
          publishes += 1;
          return inProcess.publish(event);
        },
      };
      const applied = () => consumerDatabase.fork({ comune: ROMA }).count(Note);
      return { bus, applied, publishes: () => publishes, close: () => inProcess.close() };
    }

    test('the relay reads a round with one statement and marks its events published with one, however many', async () => {
      const consumer = await busWithConsumer();
      try {
        const em = database.fork({ comune: ROMA });
        for (let i = 0; i < 40; i++) recordEvent(em, alertEvent(ROMA, `alert-${i}`));
        await em.flush();
        const log = statementLog(database);
        // SQLite: no mark falls due while the round's deliveries go on, however slowly they do here.
        const relay = createOutboxRelay({ database, bus: consumer.bus, logger, markIntervalMs: 60_000 });

        expect(await relay.flush()).toBe(40);
        expect(await consumer.applied()).toBe(40);
        const statements = log.take();
        expect(updatesOfOutbox(statements)).toHaveLength(1);
        // The lanes in turn, read with one statement; on SQLite `flush` reads once more for what
        // was committed meanwhile.
        expect(readsOfOutbox(statements)).toHaveLength(driver === 'sqlite' ? 2 : 1);
        expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
      } finally {
        await consumer.close();
      }
    });

    test.runIf(driver === 'sqlite')(
      'events published while the relay runs wait to be marked together, never republished meanwhile',
      async () => {
        const consumer = await busWithConsumer();
        const log = statementLog(database);
        const relay = createOutboxRelay({
          database,
          bus: consumer.bus,
          logger,
          pollIntervalMs: 60_000,
          markIntervalMs: 60_000,
        });
        relay.start();
        try {
          // One commit after the other: each starts a round, each event is delivered on its own.
          for (let i = 0; i < 20; i++) {
            const em = database.fork({ comune: ROMA });
            recordEvent(em, alertEvent(ROMA, `alert-${i}`));
            await em.flush();
          }
          await expect.poll(consumer.applied, { timeout: 10_000 }).toBe(20);
          // Delivered, not marked yet: the rounds the commits started skipped them.
          expect(updatesOfOutbox(log.take())).toHaveLength(0);
          expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(20);
          expect(consumer.publishes()).toBe(20);

          await relay.stop();
          expect(updatesOfOutbox(log.take())).toHaveLength(1);
          expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
        } finally {
          await relay.stop();
          await consumer.close();
        }
      },
    );

    test.runIf(driver === 'sqlite')(
      'a running relay marks what it published within markIntervalMs',
      async () => {
        const consumer = await busWithConsumer();
        const relay = createOutboxRelay({
          database,
          bus: consumer.bus,
          logger,
          pollIntervalMs: 60_000,
          markIntervalMs: 20,
        });
        relay.start();
        try {
          const em = database.fork({ comune: ROMA });
          recordEvent(em, alertEvent(ROMA, 'alert'));
          await em.flush();
          await expect
            .poll(() => database.forkUnscoped().count(OutboxMessage, { publishedAt: null }), {
              timeout: 10_000,
            })
            .toBe(0);
          expect(consumer.publishes()).toBe(1);
        } finally {
          await relay.stop();
          await consumer.close();
        }
      },
    );

    test.runIf(driver === 'postgresql')(
      'a round the bus refuses records its failures with one statement per error, not one per event',
      async () => {
        const bus = publishOnlyBus(() => Promise.reject(new Error('nats: timeout')));
        const em = database.fork({ comune: ROMA });
        for (let i = 0; i < 30; i++) recordEvent(em, alertEvent(ROMA, `alert-${i}`));
        await em.flush();
        const log = statementLog(database);
        const relay = createOutboxRelay({ database, bus, logger });

        expect(await relay.flush()).toBe(0);
        expect(updatesOfOutbox(log.take())).toHaveLength(1);
        const rows = await outboxRows();
        expect(rows).toHaveLength(30);
        expect(
          rows.every(
            (row) => row.publishedAt === null && row.attempts === 1 && row.lastError === 'nats: timeout',
          ),
        ).toBe(true);
      },
    );

    test('handleOnce records a new event with one statement, and a duplicate with one that does not fail', async () => {
      const log = statementLog(database);
      const event = alertEvent(ROMA, 'n1');
      const apply = (em: EntityManager) => {
        em.create(Note, { id: randomUUID(), comune: ROMA, title: 'applied' });
        return Promise.resolve();
      };

      expect(await handleOnce(database.fork({ comune: ROMA }), 'notes', event, apply)).toBe(true);
      const first = log.take();
      expect(ofInbox(first)).toEqual([{ sql: expect.stringMatching(/^insert /i), failed: false }]);
      expect(first.some((statement) => statement.failed)).toBe(false);

      expect(await handleOnce(database.fork({ comune: ROMA }), 'notes', event, apply)).toBe(false);
      const again = log.take();
      // A redelivery costs the same statement, which leaves no failed statement in the database log.
      expect(ofInbox(again)).toEqual([{ sql: expect.stringMatching(/^insert /i), failed: false }]);
      expect(again.some((statement) => statement.failed)).toBe(false);
      expect(await database.fork({ comune: ROMA }).count(Note)).toBe(1);
    });
  });

  test('handleOnce applies an event once, even with concurrent duplicate deliveries', async () => {
    const event = alertEvent(ROMA, 'n1');
    const apply = (em: Parameters<Parameters<typeof handleOnce>[3]>[0]) => {
      em.create(Note, { id: randomUUID(), comune: ROMA, title: 'applied' });
      return Promise.resolve();
    };
    expect(await handleOnce(database.fork({ comune: ROMA }), 'notes', event, apply)).toBe(true);
    expect(await handleOnce(database.fork({ comune: ROMA }), 'notes', event, apply)).toBe(false);
    // Another consumer keeps its own inbox.
    expect(await handleOnce(database.fork({ comune: ROMA }), 'audit', event, apply)).toBe(true);
    expect(await database.fork({ comune: ROMA }).count(Note)).toBe(2);

    const concurrent = alertEvent(ROMA, 'n2');
    // The delivery that gets to apply the event keeps its transaction open until the other one
    // waits for its inbox row (on PostgreSQL, a session waiting for a lock; SQLite queues the
    // second transaction behind the first by itself).
    const untilTheOtherQueues = lockQueueWatch(await scratch.open());
    const heldApply = async (em: Parameters<typeof apply>[0]) => {
      await apply(em);
      await em.flush();
      await untilTheOtherQueues();
    };
    const results = await Promise.all([
      handleOnce(database.fork({ comune: ROMA }), 'notes', concurrent, heldApply),
      handleOnce(database.fork({ comune: ROMA }), 'notes', concurrent, heldApply),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect(await database.fork({ comune: ROMA }).count(Note)).toBe(3);
  });

  test('handleOnce records nothing when the handler fails, so a redelivery applies it', async () => {
    const event = alertEvent(ROMA, 'n1');
    const failing = handleOnce(database.fork({ comune: ROMA }), 'notes', event, async (em) => {
      em.create(Note, { id: randomUUID(), comune: ROMA, title: 'half' });
      await em.flush();
      throw new Error('downstream refused');
    });
    await expect(failing).rejects.toThrow('downstream refused');
    expect(await database.fork({ comune: ROMA }).count(Note)).toBe(0);

    const applied = await handleOnce(database.fork({ comune: ROMA }), 'notes', event, (em) => {
      em.create(Note, { id: randomUUID(), comune: ROMA, title: 'whole' });
      return Promise.resolve();
    });
    expect(applied).toBe(true);
    expect((await database.fork({ comune: ROMA }).find(Note, {})).map((n) => n.title)).toEqual(['whole']);
  });
});

describe('outbox relay replicas on postgresql', () => {
  let scratch: ScratchDatabase;
  beforeEach(async () => {
    scratch = await scratchDatabase('postgresql');
  });
  afterEach(async () => {
    await scratch.dispose();
  });

  test('two relays never publish the same event twice and keep the order per subject', async () => {
    const first = await scratch.open();
    await first.migrate();
    const second = await scratch.open();
    const order: { relay: string; event: EventEnvelope }[] = [];
    const replicaBus = (relay: string): EventBus => ({
      ...recordingBus().bus,
      async publish(event) {
        // An acknowledgement that takes a turn of the event loop: the other relay's rounds go on meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        order.push({ relay, event });
      },
    });

    const subjects = ['a', 'b', 'c', 'd'];
    const events: EventEnvelope[] = [];
    const em = first.fork({ comune: ROMA });
    for (let i = 0; i < 120; i++) {
      const event = alertEvent(ROMA, subjects[i % subjects.length] ?? 'a');
      events.push(event);
      recordEvent(em, event);
      if (i % 10 === 9) {
        await em.flush();
      }
    }

    const relays = [
      createOutboxRelay({
        database: first,
        bus: replicaBus('first'),
        logger,
        pollIntervalMs: 5,
        batchSize: 7,
      }),
      createOutboxRelay({
        database: second,
        bus: replicaBus('second'),
        logger,
        pollIntervalMs: 5,
        batchSize: 7,
      }),
    ];
    relays.forEach((relay) => relay.start());
    // Explicit flushes race with the pollers on purpose.
    const flushed = await Promise.all([relays[0]?.flush(), relays[1]?.flush(), relays[0]?.flush()]);
    await waitFor(() => order.length >= events.length, 20_000);
    await Promise.all(relays.map((relay) => relay.stop()));

    const ids = order.map((entry) => entry.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(events.length);
    expect(flushed.reduce((sum, n) => (sum ?? 0) + (n ?? 0), 0)).toBeLessThanOrEqual(events.length);
    for (const subject of subjects) {
      expect(order.filter((e) => e.event.subject === subject).map((e) => e.event.id)).toEqual(
        events.filter((e) => e.subject === subject).map((e) => e.id),
      );
    }
    expect(await first.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
  });
});

describe('OUTBOX_MIGRATIONS', () => {
  test('create exactly the outbox and inbox tables on both dialects', async () => {
    await assertMigrationsMatchEntities({
      service: 'outbox',
      entities: [],
      migrations: OUTBOX_MIGRATIONS,
      postgresUrl: TEST_POSTGRES_URL,
    });
  });
});
