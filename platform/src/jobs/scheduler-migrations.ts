import type { MigrationSet } from '../database/database.js';
import { OUTBOX_MIGRATIONS } from '../outbox/outbox-migrations.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

/**
 * Migrations that create only the platform tables and the job lease table (with `JobLease` among
 * the entities), for a process whose database holds nothing else: a tool, a test. Services never use
 * them: a service that schedules jobs lists `JobLease` with its entities, so its own migrations
 * create the table.
 */
export const SCHEDULER_MIGRATIONS: MigrationSet = {
  sqlite: [...OUTBOX_MIGRATIONS.sqlite, ...sqlite],
  postgresql: [...OUTBOX_MIGRATIONS.postgresql, ...postgresql],
};
