import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type DatabaseDriver } from '@sportello/platform';
import { LOCAL_POSTGRES_URL } from './test-database.js';

/**
 * Where a service under test keeps its data, as its configuration names it: a SQLite file in a
 * temporary folder, or a uniquely named PostgreSQL database the service creates when it starts.
 */
export interface ScratchServiceDatabase {
  readonly config: { driver: DatabaseDriver; url: string; postgresDatabase?: string };
  /** Deletes the folder, or drops the PostgreSQL database (ending any session left open). */
  dispose(): Promise<void>;
}

/**
 * A throw-away database location for a whole service started by a test (the service migrates it),
 * unlike {@link createTestDatabase}, which opens and migrates one itself.
 */
export async function scratchServiceDatabase(
  service: string,
  driver: DatabaseDriver,
  postgresUrl: string = LOCAL_POSTGRES_URL,
): Promise<ScratchServiceDatabase> {
  if (driver === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), `sportello-${service}-`));
    return {
      config: { driver, url: join(dir, `${service}.db`) },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const postgresDatabase = `sportello_test_${service.replace(/-/g, '_')}_${randomBytes(5).toString('hex')}`;
  return {
    config: { driver, url: postgresUrl, postgresDatabase },
    async dispose() {
      // Through the management database; `force` ends any session left open.
      const admin = await createDatabase({
        service,
        driver: 'postgresql',
        postgresUrl,
        postgresDatabase: 'postgres',
        entities: [],
        migrations: { sqlite: [], postgresql: [] },
      });
      try {
        await admin
          .forkUnscoped()
          .getConnection()
          .execute(`drop database if exists "${postgresDatabase}" with (force)`);
      } finally {
        await admin.close();
      }
    },
  };
}
