import type { AnyEntitySchema, Database, DatabaseDriver, MigrationSet } from '../database.js';
import { createTestDatabase, DATABASE_DRIVERS, LOCAL_POSTGRES_URL } from '@sportello/test-support';
import { testEntities } from './entities.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

/** The local PostgreSQL server the tests use. */
export const TEST_POSTGRES_URL = LOCAL_POSTGRES_URL;

export const DRIVERS = DATABASE_DRIVERS;

export const testMigrations: MigrationSet = { sqlite, postgresql };

/** A scratch database of the platform's test entities; `open()` gives a (further) handle on it. */
export interface ScratchDatabase {
  open(): Promise<Database>;
  sqlitePath?: string;
  postgresDatabase?: string;
  dispose(): Promise<void>;
}

/** Not migrated: the first `open()` returns the handle created here, later ones new handles. */
export async function scratchDatabase(
  driver: DatabaseDriver,
  entities: readonly AnyEntitySchema[] = testEntities,
  migrations: MigrationSet = testMigrations,
): Promise<ScratchDatabase> {
  const test = await createTestDatabase({
    service: 'platform-test',
    driver,
    entities,
    migrations,
    migrate: false,
  });
  let first: Database | undefined = test.database;
  return {
    sqlitePath: test.sqlitePath,
    postgresDatabase: test.postgresDatabase,
    open: async () => {
      const handle = first ?? (await test.open());
      first = undefined;
      return handle;
    },
    dispose: test.dispose,
  };
}
