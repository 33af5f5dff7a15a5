import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { TSMigrationGenerator } from '@mikro-orm/migrations';
import { DatabaseSchema } from '@mikro-orm/sql';
import {
  createDatabase,
  defaultPostgresDatabase,
  ormOptions,
  type AnyEntitySchema,
  type DatabaseDriver,
  type MigrationSet,
} from './database.js';

export { Migration } from '@mikro-orm/migrations';

const DIALECTS: readonly DatabaseDriver[] = ['sqlite', 'postgresql'];
const SNAPSHOT = '.snapshot';

/**
 * Writes generated migrations that import `Migration` from this package (a service needs no direct
 * dependency on the ORM's migration module), named as `createMigration` decided for both dialects.
 */
class PlatformMigrationGenerator extends TSMigrationGenerator {
  override async generate(diff: { up: string[]; down: string[] }, path?: string, name?: string) {
    const className = this.options.fileName?.('', name) ?? 'Migration';
    const folder = path ?? this.options.path ?? '.';
    const code = this.generateMigrationFile(className, diff);
    await writeFile(join(folder, `${className}.ts`), code);
    return [code, `${className}.ts`] as [string, string];
  }

  override generateMigrationFile(className: string, diff: { up: string[]; down: string[] }): string {
    return super
      .generateMigrationFile(className, diff)
      .replace(`from '@mikro-orm/migrations'`, `from '@sportello/platform'`);
  }
}

/**
 * `Migration<yyyymmddhhmmss>[_<name>]`, later than every existing migration even when two are
 * created within a second, so that name order is application order.
 */
async function nextMigrationName(folders: string[], name: string | undefined): Promise<string> {
  const stamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);
  let candidate = stamp(new Date());
  const existing = (await Promise.all(folders.map((folder) => migrationNames(folder)))).flat();
  const latest = existing
    .map((file) => file.slice('Migration'.length, 'Migration'.length + 14))
    .sort()
    .at(-1);
  if (latest !== undefined && candidate <= latest) {
    const iso = latest.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z');
    candidate = stamp(new Date(Date.parse(iso) + 1_000));
  }
  const suffix = name === undefined || name === '' ? '' : `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  return `Migration${candidate}${suffix}`;
}

async function migrationNames(folder: string): Promise<string[]> {
  if (!existsSync(folder)) {
    return [];
  }
  return (await readdir(folder))
    .filter((file) => /^Migration\d{14}.*\.ts$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

/** Options of {@link createMigration}. */
export interface CreateMigrationOptions {
  service: string;
  entities: readonly AnyEntitySchema[];
  /** The service's migrations folder (e.g. `src/migrations`); one sub-folder per dialect. */
  dir: string;
  /** Suffix of the migration's name, e.g. `add-contact-points`. */
  name?: string;
}

/** What {@link createMigration} wrote, per dialect (`undefined` when the schema had not changed). */
export type CreateMigrationResult = Record<
  DatabaseDriver,
  { fileName: string; statements: number } | undefined
>;

/**
 * Generates the next migration of a service for both dialects, from the difference between its
 * entities and the schema snapshot kept beside the migrations (`<dir>/<dialect>/.snapshot.json`),
 * and rewrites `<dir>/<dialect>/index.ts`, which exports the ordered `migrations` list to pass to
 * `createDatabase`. Works offline: no database server is needed.
 *
 * A service keeps a tiny script that calls it with its entities, e.g.
 * `await createMigration({ service: 'identity', entities, dir: 'src/migrations', name: process.argv[2] })`.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreateMigrationResult> {
  const result: CreateMigrationResult = { sqlite: undefined, postgresql: undefined };
  const migrationName = await nextMigrationName(
    DIALECTS.map((driver) => resolve(options.dir, driver)),
    options.name,
  );
  for (const driver of DIALECTS) {
    const folder = resolve(options.dir, driver);
    await mkdir(folder, { recursive: true });
    const orm = await MikroORM.init({
      ...ormOptions({
        driver,
        entities: options.entities,
        dbName: driver === 'sqlite' ? ':memory:' : defaultPostgresDatabase(options.service),
        // Never contacted: the diff is computed against the snapshot.
        clientUrl: 'postgres://127.0.0.1:5432',
        migrations: [],
      }),
      migrations: {
        path: folder,
        pathTs: folder,
        emit: 'ts',
        snapshot: true,
        snapshotName: SNAPSHOT,
        generator: PlatformMigrationGenerator,
        fileName: () => migrationName,
        silent: true,
      },
    });
    try {
      const snapshotPath = join(folder, `${SNAPSHOT}.json`);
      if (!existsSync(snapshotPath)) {
        // An empty snapshot makes the first migration an offline diff from nothing, like the next ones.
        const empty = new DatabaseSchema(orm.em.getPlatform() as never, orm.config.get('schema'));
        await writeFile(snapshotPath, JSON.stringify(empty, null, 2));
      }
      const created = await orm.migrator.create(folder, false, false, options.name);
      if (created.fileName !== '') {
        result[driver] = { fileName: created.fileName, statements: created.diff.up.filter(Boolean).length };
      }
    } finally {
      await orm.close(true);
    }
    await writeMigrationIndex(folder);
  }
  return result;
}

async function writeMigrationIndex(folder: string): Promise<void> {
  const names = await migrationNames(folder);
  const lines = [
    '// Generated by createMigration from @sportello/platform: the migrations of this folder, in order.',
    ...names.map((name) => `import { ${name} } from './${name}.js';`),
    '',
    'export const migrations = [',
    ...names.map((name) => `  { name: '${name}', class: ${name} },`),
    '];',
    '',
  ];
  await writeFile(join(folder, 'index.ts'), lines.join('\n'));
}

/** Options of {@link assertMigrationsMatchEntities}. */
export interface MigrationCheckOptions {
  service: string;
  entities: readonly AnyEntitySchema[];
  migrations: MigrationSet;
  /** PostgreSQL server to create a scratch database on. */
  postgresUrl: string;
  /** @default both */
  drivers?: readonly DatabaseDriver[];
}

/** Thrown when a service's migrations do not produce its entity schema. */
export class MigrationDriftError extends Error {
  override readonly name = 'MigrationDriftError';
}

/**
 * Applies a service's migrations to a scratch database of each dialect (a temporary SQLite file,
 * a throw-away PostgreSQL database) and fails when the result differs from what its entities
 * describe: the check every subgraph runs so a new column never ships without its migration.
 *
 * @throws MigrationDriftError listing, per dialect, the SQL still needed to reach the entities.
 */
export async function assertMigrationsMatchEntities(options: MigrationCheckOptions): Promise<void> {
  const drift: string[] = [];
  for (const driver of options.drivers ?? DIALECTS) {
    const missing = await pendingSchemaChanges(options, driver);
    if (missing.trim() !== '') {
      drift.push(`${driver}:\n${missing.trim()}`);
    }
  }
  if (drift.length > 0) {
    throw new MigrationDriftError(
      `migrations of ${options.service} do not match its entities; create a migration. Missing SQL:\n${drift.join('\n')}`,
    );
  }
}

async function pendingSchemaChanges(options: MigrationCheckOptions, driver: DatabaseDriver): Promise<string> {
  const scratch = driver === 'sqlite' ? await mkdtemp(join(tmpdir(), 'sportello-migrations-')) : undefined;
  const database = await createDatabase({
    service: options.service,
    driver,
    entities: options.entities,
    migrations: options.migrations,
    sqlitePath: scratch === undefined ? undefined : join(scratch, `${options.service}.sqlite`),
    postgresUrl: options.postgresUrl,
    postgresDatabase: `sportello_check_${options.service.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`,
  });
  try {
    await database.migrate();
    return await database.orm.schema.getUpdateSchemaSQL({ wrap: false });
  } finally {
    if (driver === 'postgresql') {
      await database.orm.schema.dropDatabase();
    }
    await database.close();
    if (scratch !== undefined) {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}
