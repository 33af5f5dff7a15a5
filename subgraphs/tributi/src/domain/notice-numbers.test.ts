import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_DRIVERS, type TestDatabase } from '@sportello/test-support';
import { isValidNoticeNumber } from '@sportello/schema';
import { COMUNE, CREDITOR, tributiTestDatabase } from '../test-support/databases.js';
import { allocateNoticeNumbers, CreditorNotConfiguredError, ensureCreditor } from './notice-numbers.js';

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
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        database.fork({ comune: COMUNE }).transactional(async (tx) => {
          const { noticeNumbers } = await allocateNoticeNumbers(tx, COMUNE, 25);
          await new Promise((resolve) => setTimeout(resolve, 5));
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
