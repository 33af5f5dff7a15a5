import type { MigrationSet } from '../database/database.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

/**
 * Migrations that create only the platform tables (outbox and inbox), for a process whose
 * database holds nothing else: a tool, a benchmark, a crash test. Services never use them: the
 * migrations `createMigration` generates for a service already include these tables.
 */
export const OUTBOX_MIGRATIONS: MigrationSet = { sqlite, postgresql };
