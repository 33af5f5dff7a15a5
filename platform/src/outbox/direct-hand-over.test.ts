import { randomInt } from 'node:crypto';
import { type EventEnvelope } from '@sportello/schema';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createInProcessBus } from '../bus/in-process-bus.js';
import { publishOnlyBus } from '../bus/test-support/publish-only-bus.js';
import type { Database } from '../database/database.js';
import type { ScratchDatabase } from '../database/test-support/databases.js';
import { migratedScratchDatabase } from '../database/test-support/migrated-scratch.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { recordEvent } from './record-event.js';
import { createOutboxRelay } from './relay.js';
import { alertEvent } from './test-support/outbox-events.js';

const ROMA = '058091';
const logger = pino({ level: 'silent' });

/** Lets the test hold a transaction open on the database's one connection. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const turns = (count: number) =>
  Array.from({ length: count }).reduce<Promise<void>>(
    (previous) => previous.then(() => new Promise((resolve) => setImmediate(resolve))),
    Promise.resolve(),
  );

// The embedded database (SQLite) belongs to one process: its relay hands what this process commits
// to the bus from the commit itself, without reading it back.
describe('outbox relay on sqlite: direct hand-over', () => {
  let scratch: ScratchDatabase;
  let database: Database;

  beforeEach(async () => ({ scratch, database } = await migratedScratchDatabase('sqlite')));
  afterEach(() => scratch.dispose());

  test('an event reaches the bus right after its commit, even while another transaction holds the connection', async () => {
    const published: string[] = [];
    const bus = publishOnlyBus(async (event) => void published.push(event.subject));
    const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000 });
    relay.start();
    const held = gate();
    let holding: Promise<void> | undefined;
    try {
      await relay.flush(); // the round `start` began is over
      await database.fork({ comune: ROMA }).transactional(async (tx) => {
        recordEvent(tx, alertEvent(ROMA, 'committed'));
        await tx.flush();
      });
      // A long transaction (a bulk import, say) takes the one connection at once: a relay that had
      // to read the event back would wait for it to end.
      let inside = false;
      holding = database.fork({ comune: ROMA }).transactional(async (tx) => {
        await tx.count(OutboxMessage, {});
        inside = true;
        await held.opened;
      });
      await vi.waitFor(() => expect(inside).toBe(true));
      await vi.waitFor(() => expect(published).toEqual(['committed']));
    } finally {
      held.open();
      await holding;
      await relay.stop();
    }
    expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
  });

  test('live listeners hear of each commit at once and once, in order, while the durable consumers lag behind', async () => {
    const bus = createInProcessBus();
    const heard: string[] = [];
    const handled: string[] = [];
    const slow = gate();
    await bus.listen('sportello.>', (event) => void heard.push(event.id));
    // A durable consumer (the notifier, say) that takes its time over the first event.
    await bus.consume({ name: 'notifier', subjects: ['sportello.>'] }, async (event) => {
      if (handled.length === 0) await slow.opened;
      handled.push(event.id);
    });
    const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000, maxInFlight: 1 });
    relay.start();
    const committed: string[] = [];
    try {
      await relay.flush();
      for (let i = 0; i < 5; i += 1) {
        const event = alertEvent(ROMA, 'same-alert', i % 2 === 0 ? 'yellow' : 'red');
        await database.fork({ comune: ROMA }).transactional(async (tx) => {
          recordEvent(tx, event);
          await tx.flush();
        });
        committed.push(event.id);
        // The lane holds one delivery, taken by the first event: the others wait in the outbox,
        // and the listeners hear of each right after its commit all the same.
        await vi.waitFor(() => expect(heard).toEqual(committed));
      }
      expect(handled).toEqual([]);
      slow.open();
      await vi.waitFor(() => expect(handled).toEqual(committed));
      await relay.flush();
    } finally {
      slow.open();
      await relay.stop();
      await bus.close();
    }
    expect(heard).toEqual(committed);
  });

  test('each subject keeps its order, each event once, while direct hand-overs and rounds take turns', async () => {
    const received: EventEnvelope[] = [];
    // Deliveries take a few turns each, so the lanes fill up and rounds pick up what waited.
    const bus = publishOnlyBus(async (event) => {
      received.push(event);
      await turns(randomInt(0, 4));
    });
    const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 60_000, maxInFlight: 3 });
    relay.start();
    const subjects = ['s1', 's2', 's3', 's4'];
    const committed = new Map<string, string[]>(subjects.map((subject) => [subject, []]));
    // The order of the commits, as the database announces them.
    const stopWatching = database.onEventsCommitted((_ids, events) => {
      for (const event of events) committed.get(event.subject)!.push(event.id);
    });
    try {
      for (let burst = 0; burst < 40; burst += 1) {
        // A few transactions at once, each with one to three events; order within a subject is the
        // order of the commits, which SQLite runs one after the other.
        await Promise.all(
          Array.from({ length: randomInt(1, 4) }, () =>
            database.fork({ comune: ROMA }).transactional(async (tx) => {
              for (let i = randomInt(1, 4); i > 0; i -= 1) {
                recordEvent(tx, alertEvent(ROMA, subjects[randomInt(0, subjects.length)]!));
              }
              await tx.flush();
            }),
          ),
        );
        if (burst % 7 === 0) relay.nudge();
      }
      const total = [...committed.values()].reduce((sum, ids) => sum + ids.length, 0);
      await vi.waitFor(() => expect(received).toHaveLength(total), { timeout: 20_000 });
      await relay.flush();
    } finally {
      stopWatching();
      await relay.stop();
    }
    for (const subject of subjects) {
      expect(
        received.filter((event) => event.subject === subject).map((event) => event.id),
        `order of ${subject}`,
      ).toEqual(committed.get(subject));
    }
    expect(await database.forkUnscoped().count(OutboxMessage, { publishedAt: null })).toBe(0);
  });
});
