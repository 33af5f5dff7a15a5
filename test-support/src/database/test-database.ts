import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  type AnyEntitySchema,
  type Database,
  type DatabaseDriver,
  type DatabaseOptions,
  type MigrationSet,
} from '@sportello/platform';

/** The PostgreSQL server of a development machine and of CI. */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432';

/** Both drivers, for `describe.each(DATABASE_DRIVERS)` suites that every adapter must pass. */
export const DATABASE_DRIVERS: readonly DatabaseDriver[] = ['sqlite', 'postgresql'];

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  service: string;
  driver: DatabaseDriver;
  entities: readonly AnyEntitySchema[];
  migrations: MigrationSet;
  /** @default LOCAL_POSTGRES_URL */
  postgresUrl?: string;
  /** Apply the migrations before returning. @default true */
  migrate?: boolean;
  logger?: DatabaseOptions['logger'];
}

/** A throw-away database and the first handle on it. */
export interface TestDatabase {
  readonly database: Database;
  /** The SQLite file (sqlite driver). */
  readonly sqlitePath?: string;
  /** The PostgreSQL database name (postgresql driver). */
  readonly postgresDatabase?: string;
  /** Opens another handle on the same database: a second replica, or a restart after a crash. */
  open(): Promise<Database>;
  /** Closes every handle and deletes the database (the temp folder, or the PostgreSQL database). */
  dispose(): Promise<void>;
}

/**
 * A fresh database for one test: a SQLite file in a temporary folder, or a uniquely named
 * PostgreSQL database, migrated with the service's real migrations.
 */
export async function createTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const handles: Database[] = [];
  const dir = options.driver === 'sqlite' ? await mkdtemp(join(tmpdir(), 'sportello-test-')) : undefined;
  const sqlitePath = dir === undefined ? undefined : join(dir, `${options.service}.sqlite`);
  const postgresDatabase =
    options.driver === 'postgresql'
      ? `sportello_test_${options.service.replace(/-/g, '_')}_${randomBytes(5).toString('hex')}`
      : undefined;
  const open = async () => {
    const database = await createDatabase({
      service: options.service,
      driver: options.driver,
      entities: options.entities,
      migrations: options.migrations,
      sqlitePath,
      postgresUrl: options.postgresUrl ?? LOCAL_POSTGRES_URL,
      postgresDatabase,
      logger: options.logger,
    });
    handles.push(database);
    return database;
  };
  const dispose = async () => {
    const [first, ...others] = handles.splice(0);
    await Promise.all(others.map((handle) => handle.close()));
    if (first !== undefined && postgresDatabase !== undefined) {
      // Through the management database; `force` ends sessions a killed child process left behind.
      first.orm.config.set('dbName', 'postgres');
      await first.orm.driver.reconnect();
      await first.orm.em
        .getConnection()
        .execute(`drop database if exists "${postgresDatabase}" with (force)`);
    }
    await first?.close();
    if (dir !== undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    const database = await open();
    if (options.migrate ?? true) {
      await database.migrate();
    }
    return { database, sqlitePath, postgresDatabase, open, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
