import { afterEach, describe, expect, test } from 'vitest';
import { DRIVERS, scratchDatabase, type ScratchDatabase } from '../database/test-support/databases.js';
import { consumerNameFor } from './consumer-name.js';

describe.each(DRIVERS)('consumer name on %s', (driver) => {
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    await scratch?.dispose();
    scratch = undefined;
  });

  test('a database of its own gets a consumer of its own, named after the database', async () => {
    scratch = await scratchDatabase(driver);
    const database = await scratch.open();
    const name = consumerNameFor('platform-test-payments', database);
    if (driver === 'postgresql') {
      expect(scratch.postgresDatabase).toBeDefined();
      expect(name).toBe(`${scratch.postgresDatabase}-platform-test-payments`);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    } else {
      // Each SQLite file belongs to one process: the consumer keeps its plain name.
      expect(name).toBe('platform-test-payments');
    }
  });
});
