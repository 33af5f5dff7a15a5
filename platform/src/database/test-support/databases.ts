import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  type AnyEntitySchema,
  type Database,
  type DatabaseDriver,
  type MigrationSet,
} from '../database.js';
import { testEntities } from './entities.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

/** The local PostgreSQL server the tests use (override for another machine). */
export const TEST_POSTGRES_URL =
  process.env['SPORTELLO_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432';

export const DRIVERS: readonly DatabaseDriver[] = ['sqlite', 'postgresql'];

export const testMigrations: MigrationSet = { sqlite, postgresql };

/** A scratch database of the given driver: a temp SQLite file, or a PostgreSQL database dropped on `dispose`. */
export interface ScratchDatabase {
  /** Opens a (further) handle on the same database, e.g. a second relay replica. */
  open(): Promise<Database>;
  sqlitePath?: string;
  postgresDatabase?: string;
  dispose(): Promise<void>;
}

export async function scratchDatabase(
  driver: DatabaseDriver,
  entities: readonly AnyEntitySchema[] = testEntities,
  migrations: MigrationSet = testMigrations,
): Promise<ScratchDatabase> {
  const handles: Database[] = [];
  const dir = driver === 'sqlite' ? await mkdtemp(join(tmpdir(), 'sportello-db-')) : undefined;
  const sqlitePath = dir === undefined ? undefined : join(dir, 'test.sqlite');
  const postgresDatabase =
    driver === 'postgresql' ? `sportello_test_platform_${randomBytes(5).toString('hex')}` : undefined;
  const open = async () => {
    const database = await createDatabase({
      service: 'platform-test',
      driver,
      entities,
      migrations,
      sqlitePath,
      postgresUrl: TEST_POSTGRES_URL,
      postgresDatabase,
    });
    handles.push(database);
    return database;
  };
  return {
    open,
    sqlitePath,
    postgresDatabase,
    async dispose() {
      const [first, ...rest] = handles;
      for (const handle of rest) {
        await handle.close();
      }
      if (first !== undefined && driver === 'postgresql') {
        await first.orm.schema.dropDatabase();
      }
      await first?.close();
      if (dir !== undefined) {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
