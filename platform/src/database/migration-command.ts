import { createMigration, type CreateMigrationOptions, type CreateMigrationResult } from './migrations.js';

/** One line per dialect: the migration written and its statement count, or that nothing changed. */
export function migrationReport(result: CreateMigrationResult): string[] {
  return Object.entries(result).map(([dialect, written]) =>
    written === undefined
      ? `${dialect}: no changes`
      : `${dialect}: ${written.fileName} (${written.statements} statements)`,
  );
}

/**
 * What a service's `migration:create` script runs (`npm run migration:create -w @sportello/<service>
 * -- <name>`, after a build): writes the next migration for both dialects from the service's
 * entities with {@link createMigration} and tells the developer what it wrote, one line a dialect.
 */
export async function runMigrationCommand(
  options: CreateMigrationOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<CreateMigrationResult> {
  const result = await createMigration(options);
  for (const line of migrationReport(result)) out.write(`${line}\n`);
  return result;
}
