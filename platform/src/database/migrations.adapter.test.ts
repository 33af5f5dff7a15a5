import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineEntity, p } from '@mikro-orm/core';
import { afterAll, describe, expect, test } from 'vitest';
import { createDatabase, type MigrationSet } from './database.js';
import { assertMigrationsMatchEntities, createMigration, MigrationDriftError } from './migrations.js';
import { tenantProperties } from './tenancy.js';
import { scratchDatabase, TEST_POSTGRES_URL } from './test-support/databases.js';

// Inside the package, so the generated files resolve `@sportello/platform` like a service's do.
const root = fileURLToPath(
  new URL(`./test-support/generated/${randomBytes(4).toString('hex')}`, import.meta.url),
);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const ArticleV1 = defineEntity({
  name: 'Article',
  tableName: 'article',
  properties: { id: p.uuid().primary(), ...tenantProperties(), title: p.string().length(200) },
});
const ArticleV2 = defineEntity({
  name: 'Article',
  tableName: 'article',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    title: p.string().length(200),
    publishedAt: p.datetime().nullable(),
  },
});
const Topic = defineEntity({
  name: 'Topic',
  tableName: 'topic',
  properties: { slug: p.string().length(50).primary() },
});

let loads = 0;
async function load(dir: string): Promise<MigrationSet> {
  // A new query string each time: the index is rewritten between loads.
  const version = `?v=${++loads}`;
  const sqlite = (await import(join(dir, 'sqlite', `index.ts${version}`))) as {
    migrations: MigrationSet['sqlite'];
  };
  const postgresql = (await import(join(dir, 'postgresql', `index.ts${version}`))) as {
    migrations: MigrationSet['postgresql'];
  };
  return { sqlite: sqlite.migrations, postgresql: postgresql.migrations };
}

describe('createMigration', () => {
  test('writes an initial and then an incremental migration per dialect that match the entities', async () => {
    const dir = join(root, 'sample');
    const first = await createMigration({ service: 'sample', entities: [ArticleV1], dir, name: 'init' });
    expect(first.sqlite?.fileName).toMatch(/^Migration\d{14}_init\.ts$/);
    expect(first.postgresql?.fileName).toBe(first.sqlite?.fileName);
    const v1 = await load(dir);
    expect(v1.sqlite.map((m) => m.name)).toEqual([first.sqlite?.fileName.replace('.ts', '')]);
    await assertMigrationsMatchEntities({
      service: 'sample',
      entities: [ArticleV1],
      migrations: v1,
      postgresUrl: TEST_POSTGRES_URL,
    });
    const code = await readFile(join(dir, 'postgresql', first.postgresql?.fileName ?? ''), 'utf8');
    expect(code).toContain(`import { Migration } from '@sportello/platform';`);
    expect(code).toMatch(/create table "outbox_message"/);

    // Same second on purpose: the next migration must still sort after the first.
    const second = await createMigration({
      service: 'sample',
      entities: [ArticleV2, Topic],
      dir,
      name: 'publish-articles',
    });
    expect(second.sqlite?.fileName).toMatch(/^Migration\d{14}_publish_articles\.ts$/);
    const v2 = await load(dir);
    expect(v2.postgresql.map((m) => m.name)).toEqual([
      first.postgresql?.fileName.replace('.ts', ''),
      second.postgresql?.fileName.replace('.ts', ''),
    ]);
    await expect(
      assertMigrationsMatchEntities({
        service: 'sample',
        entities: [ArticleV2, Topic],
        migrations: v1,
        postgresUrl: TEST_POSTGRES_URL,
      }),
    ).rejects.toThrow(MigrationDriftError);
    await assertMigrationsMatchEntities({
      service: 'sample',
      entities: [ArticleV2, Topic],
      migrations: v2,
      postgresUrl: TEST_POSTGRES_URL,
    });

    // Nothing changed: nothing written.
    const third = await createMigration({ service: 'sample', entities: [ArticleV2, Topic], dir });
    expect(third).toEqual({ sqlite: undefined, postgresql: undefined });
    expect((await readdir(join(dir, 'sqlite'))).filter((f) => f.startsWith('Migration'))).toHaveLength(2);
  });

  test('an existing database moves from one migration to the next on both dialects', async () => {
    const dir = join(root, 'upgrade');
    await createMigration({ service: 'sample', entities: [ArticleV1], dir, name: 'init' });
    const v1 = await load(dir);
    for (const driver of ['sqlite', 'postgresql'] as const) {
      const scratch = await scratchDatabase(driver, [ArticleV1], v1);
      try {
        const before = await scratch.open();
        await before.migrate();
        const em = before.fork({ comune: '058091' });
        em.create(ArticleV1, { id: '0190a8a2-7c1e-7000-8000-000000000001', comune: '058091', title: 'kept' });
        await em.flush();
        await before.close();

        await createMigration({
          service: 'sample',
          entities: [ArticleV2],
          dir,
          name: `add-published-${driver}`,
        });
        const v2 = await load(dir);
        // The same file or database, opened by the newer code.
        const after = await createDatabase({
          service: 'platform-test',
          driver,
          entities: [ArticleV2],
          migrations: v2,
          sqlitePath: scratch.sqlitePath,
          postgresUrl: TEST_POSTGRES_URL,
          postgresDatabase: scratch.postgresDatabase,
        });
        await after.migrate();
        const article = await after.fork({ comune: '058091' }).findOneOrFail(ArticleV2, { title: 'kept' });
        expect(article.publishedAt).toBeNull();
        expect(await after.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
        await after.close();
      } finally {
        await scratch.dispose();
      }
    }
  });
});
