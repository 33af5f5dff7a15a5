import { AsyncResource } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '@sportello/platform';
import { DATABASE_DRIVERS, type TestDatabase } from '@sportello/test-support';
import { isValidNoticeNumber } from '@sportello/schema';
import { COMUNE, CREDITOR, tributiTestDatabase } from '../test-support/databases.js';
import { allocateNoticeNumbers, CreditorNotConfiguredError, ensureCreditor } from './notice-numbers.js';

/**
 * A wait that resolves once another session of `observer`'s database waits for a lock. On
 * PostgreSQL the allocation locks the creditor row until its transaction ends, so the next
 * allocation queues there; SQLite runs one transaction at a time, so there is nothing to wait for.
 * `observer` is a handle of its own, and the wait runs in the context it was made in, never in a
 * caller's transaction: the connections of the transactions' pool may all be taken by sessions
 * waiting for the lock.
 */
function lockQueueWatch(observer: Database): () => Promise<void> {
  return AsyncResource.bind(async () => {
    if (observer.driver !== 'postgresql') return;
    await vi.waitFor(
      async () => {
        const [row] = await observer
          .forkUnscoped()
          .execute<{ waiting: number }[]>(
            `select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
        if ((row?.waiting ?? 0) === 0) throw new Error('no session waits for a lock');
      },
      { timeout: 10_000, interval: 10 },
    );
  });
}

describe.each(DATABASE_DRIVERS)('notice number allocation on %s', (driver) => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.dispose();
    test = undefined;
  });

  it('hands out valid, distinct numbers to concurrent transactions, and never reuses a committed range', async () => {
    test = await tributiTestDatabase(driver);
    const database = test.database;
    await ensureCreditor(database.fork({ comune: COMUNE }), CREDITOR);
    const untilAnotherQueues = lockQueueWatch(await test.open());
    const transactions = 12;
    let allocated = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: transactions }, (_, index) =>
        database.fork({ comune: COMUNE }).transactional(async (tx) => {
          const { noticeNumbers } = await allocateNoticeNumbers(tx, COMUNE, 25);
          allocated += 1;
          // Each transaction but the last one holds its range until another one queues behind it.
          if (allocated < transactions) await untilAnotherQueues();
          if (index === 3) throw new Error('this batch fails after allocating');
          return noticeNumbers;
        }),
      ),
    );
    const committed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
    expect(committed).toHaveLength(11 * 25);
    expect(new Set(committed).size).toBe(committed.length);
    for (const notice of committed) {
      expect(isValidNoticeNumber(notice)).toBe(true);
      expect(notice.slice(0, 3)).toBe('302');
    }
    // A restart (another handle on the same database) continues the sequence.
    const reopened = await test.open();
    const { noticeNumbers } = await allocateNoticeNumbers(reopened.fork({ comune: COMUNE }), COMUNE, 3);
    for (const notice of noticeNumbers) expect(committed).not.toContain(notice);
  });

  it('refuses to issue notices for a comune without a creditor profile', async () => {
    test = await tributiTestDatabase(driver);
    await expect(
      allocateNoticeNumbers(test.database.fork({ comune: '058091' }), '058091', 1),
    ).rejects.toThrow(CreditorNotConfiguredError);
  });
});
