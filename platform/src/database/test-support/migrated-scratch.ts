import type { Database, DatabaseDriver } from '../database.js';
import { scratchDatabase, type ScratchDatabase } from './databases.js';

/**
 * A scratch database of the platform's test entities on `driver`, migrated, with its first handle:
 * what a test of the database or the outbox starts from (`scratch.dispose()` after it).
 */
export async function migratedScratchDatabase(
  driver: DatabaseDriver,
): Promise<{ scratch: ScratchDatabase; database: Database }> {
  const scratch = await scratchDatabase(driver);
  const database = await scratch.open();
  await database.migrate();
  return { scratch, database };
}
