import { afterEach, describe, expect, it } from 'vitest';
import { createForegroundGate } from '@sportello/platform';
import type { TestDatabase } from '@sportello/test-support';
import { COMUNE, CREDITOR, tributiTestDatabase } from '../test-support/databases.js';
import { processBulkJob, queueBulkJob } from './bulk-jobs.js';
import { DEFAULT_FINE_RULES } from './fines.js';
import { ensureCreditor } from './notice-numbers.js';
import { tariRun } from '../test-support/payers.js';

// The embedded hub's case: one loop, SQLite, a foreground gate.
describe('a billing run beside the embedded hub’s requests', () => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.dispose();
    test = undefined;
  });

  it('lets the loop take turns while it queues a large run, at least once every 500 items', async () => {
    test = await tributiTestDatabase('sqlite');
    const database = test.database;
    await ensureCreditor(database.fork({ comune: COMUNE }), CREDITOR);
    // What else the loop runs meanwhile (a request, a live update): counted turn by turn.
    let turns = 0;
    let queued = false;
    const turn = () => {
      if (queued) return;
      turns += 1;
      setImmediate(turn);
    };
    setImmediate(turn);
    const job = await queueBulkJob(database.fork({ comune: COMUNE }), tariRun('TARI-2026', 3_000), {
      comune: COMUNE,
      createdBy: 'staff:tributi.rossi',
      now: new Date(),
      fineRules: DEFAULT_FINE_RULES,
    });
    queued = true;
    expect(job.total).toBe(3_000);
    // Checking the items, hashing them and writing their rows: each gives the loop a turn per 500.
    expect(turns).toBeGreaterThanOrEqual(3 * (3_000 / 500));
  });

  it('keeps short batches while requests were seen within the last second, full ones after', async () => {
    test = await tributiTestDatabase('sqlite');
    const database = test.database;
    await ensureCreditor(database.fork({ comune: COMUNE }), CREDITOR);
    const job = await queueBulkJob(database.fork({ comune: COMUNE }), tariRun('TARI-2026', 300), {
      comune: COMUNE,
      createdBy: 'staff:tributi.rossi',
      now: new Date(),
      fineRules: DEFAULT_FINE_RULES,
    });

    let clock = 0;
    // A request in progress when the run starts: the first batch waits its bound (1 ms), then goes.
    const gate = createForegroundGate({ maxDeferMs: 1, freeMs: 0 });
    const request = gate.begin();
    const batches: number[] = [];
    const done = await processBulkJob(job.id, {
      database,
      batchSize: 100,
      fineRules: DEFAULT_FINE_RULES,
      lockRows: false,
      foreground: gate,
      now: () => clock,
      onProgress(processed) {
        batches.push(processed);
        // The request ends with the first batch: the next ones start with no request in progress.
        request();
        // A second later than the last request seen, with none since.
        if (processed === 100) clock += 1_000;
      },
    });

    expect(done?.status).toBe('completed');
    // Short while the request was recent (even once it had ended), full once a second had passed.
    expect(batches).toEqual([25, 50, 75, 100, 200, 300]);
  });
});
