import { createTestDatabase, type TestDatabase } from '@sportello/test-support';
import type { DatabaseDriver } from '@sportello/platform';
import { TRIBUTI_ENTITIES } from '../entities/index.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';

export const COMUNE = '001272';
export const CREDITOR = {
  comune: COMUNE,
  fiscalCode: '83000390019',
  name: 'Comune di Prova',
  segregationCode: '02',
};

/** A migrated, throw-away tributi database of either dialect. */
export function tributiTestDatabase(driver: DatabaseDriver): Promise<TestDatabase> {
  return createTestDatabase({
    service: 'tributi',
    driver,
    entities: TRIBUTI_ENTITIES,
    migrations: { sqlite, postgresql },
  });
}
