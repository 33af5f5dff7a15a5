import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createDatabase, DatabaseConfigError, type Database } from './database.js';
import { assertMigrationsMatchEntities, MigrationDriftError } from './migrations.js';
import { TenantViolationError } from './tenancy.js';
import { Comment, Note, Setting, testEntities } from './test-support/entities.js';
import {
  DRIVERS,
  scratchDatabase,
  TEST_POSTGRES_URL,
  testMigrations,
  type ScratchDatabase,
} from './test-support/databases.js';
import { migratedScratchDatabase } from './test-support/migrated-scratch.js';
import { defineEntity, p } from '@mikro-orm/core';
import pino from 'pino';

const ROMA = '058091';
const MILANO = '015146';

describe.each(DRIVERS)('database on %s', (driver) => {
  let scratch: ScratchDatabase;
  let database: Database;

  beforeEach(async () => ({ scratch, database } = await migratedScratchDatabase(driver)));
  afterEach(() => scratch.dispose());

  test('migrate creates the schema and is idempotent', async () => {
    await database.migrate();
    const em = database.fork({ comune: ROMA });
    em.create(Note, { id: randomUUID(), comune: ROMA, title: 'hello' });
    await em.flush();
    expect(await database.fork({ comune: ROMA }).count(Note)).toBe(1);
    expect(await database.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  test('one comune never sees another comune’s records', async () => {
    const roma = database.fork({ comune: ROMA });
    roma.create(Note, { id: randomUUID(), comune: ROMA, title: 'roma 1' });
    roma.create(Note, { id: randomUUID(), comune: ROMA, title: 'roma 2' });
    await roma.flush();
    const milano = database.fork({ comune: MILANO });
    const milanoNote = milano.create(Note, { id: randomUUID(), comune: MILANO, title: 'milano' });
    await milano.flush();

    const asRoma = database.fork({ comune: ROMA });
    expect((await asRoma.find(Note, {}, { orderBy: { title: 'asc' } })).map((n) => n.title)).toEqual([
      'roma 1',
      'roma 2',
    ]);
    expect(await asRoma.findOne(Note, { id: milanoNote.id })).toBeNull();
    expect(await asRoma.count(Note, { title: 'milano' })).toBe(0);
    // Bulk writes are scoped too: Roma's delete leaves Milano's record alone.
    expect(await asRoma.nativeDelete(Note, {})).toBe(2);
    expect(await asRoma.nativeUpdate(Note, { id: milanoNote.id }, { title: 'taken' })).toBe(0);

    const asMilano = database.fork({ comune: MILANO });
    expect((await asMilano.find(Note, {})).map((n) => n.title)).toEqual(['milano']);
    expect(await database.forkUnscoped().count(Note)).toBe(1);
  });

  test('writing a record of another comune is rejected and nothing is stored', async () => {
    const roma = database.fork({ comune: ROMA });
    roma.create(Note, { id: randomUUID(), comune: ROMA, title: 'mine' });
    roma.create(Note, { id: randomUUID(), comune: MILANO, title: 'planted' });
    await expect(roma.flush()).rejects.toThrow(TenantViolationError);
    expect(await database.forkUnscoped().count(Note)).toBe(0);

    const milano = database.fork({ comune: MILANO });
    const note = milano.create(Note, { id: randomUUID(), comune: MILANO, title: 'milano' });
    await milano.flush();
    note.comune = ROMA;
    await expect(milano.flush()).rejects.toThrow(/belongs to comune 058091/);
    expect(await database.fork({ comune: ROMA }).count(Note)).toBe(0);
  });

  test('an EntityManager without a comune fails closed on tenant-owned data', async () => {
    const root = database.orm.em.fork();
    await expect(root.find(Note, {})).rejects.toThrow(TenantViolationError);
    // Shared records need no comune.
    root.create(Setting, { key: 'theme', value: 'dark' });
    await root.flush();
    expect(await database.fork({ comune: ROMA }).findOne(Setting, { key: 'theme' })).toMatchObject({
      value: 'dark',
    });
    expect(() => database.fork({ comune: 'Roma' })).toThrow(/6-digit ISTAT code/);
  });

  test('references load in one batched query, not one per parent', async () => {
    const queries: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => queries.push(JSON.parse(line).msg) });
    const traced = await createDatabase({
      service: 'platform-test',
      driver,
      entities: testEntities,
      migrations: testMigrations,
      sqlitePath: scratch.sqlitePath,
      postgresUrl: TEST_POSTGRES_URL,
      postgresDatabase: scratch.postgresDatabase,
      logger,
      debug: true,
    });
    try {
      const em = traced.fork({ comune: ROMA });
      for (let i = 0; i < 5; i++) {
        const note = em.create(Note, { id: randomUUID(), comune: ROMA, title: `note ${i}` });
        em.create(Comment, { id: randomUUID(), comune: ROMA, note, body: `on note ${i}` });
      }
      await em.flush();

      const reader = traced.fork({ comune: ROMA });
      const comments = await reader.find(Comment, {});
      queries.length = 0;
      const notes = await Promise.all(comments.map((comment) => comment.note.load()));
      expect(notes.map((note) => note?.title).sort()).toEqual([
        'note 0',
        'note 1',
        'note 2',
        'note 3',
        'note 4',
      ]);
      expect(queries.filter((sql) => /select .* from .note./i.test(sql))).toHaveLength(1);
    } finally {
      await traced.close();
    }
  });

  test('forks are isolated units of work', async () => {
    const a = database.fork({ comune: ROMA });
    const b = database.fork({ comune: ROMA });
    a.create(Note, { id: randomUUID(), comune: ROMA, title: 'pending' });
    await b.flush();
    expect(await database.forkUnscoped().count(Note)).toBe(0);
    expect(a).not.toBe(b);
  });
});

describe('migrations on postgresql', () => {
  test('replicas starting together apply each migration once', async () => {
    const scratch = await scratchDatabase('postgresql');
    try {
      const replicas = await Promise.all([scratch.open(), scratch.open(), scratch.open()]);
      await Promise.all(replicas.map((replica) => replica.migrate()));
      const [first] = replicas;
      const rows = await first!.orm.em.getConnection().execute('select name from mikro_orm_migrations');
      expect(rows.map((row: { name: string }) => row.name)).toEqual(
        testMigrations.postgresql.map((m) => m.name),
      );
      expect(await first!.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    } finally {
      await scratch.dispose();
    }
  });
});

describe('database named in the PostgreSQL URL', () => {
  test('a URL naming a database opens (and creates) exactly that one', async () => {
    const name = `sportello_test_url_${randomUUID().slice(0, 8)}`;
    const database = await createDatabase({
      service: 'platform-test',
      driver: 'postgresql',
      postgresUrl: `${TEST_POSTGRES_URL}/${name}`,
      entities: testEntities,
      migrations: testMigrations,
    });
    try {
      await database.migrate();
      const [row] = await database.orm.em.getConnection().execute('select current_database() as name');
      expect((row as { name: string }).name).toBe(name);
    } finally {
      await database.close();
      const admin = await createDatabase({
        service: 'platform-test-admin',
        driver: 'postgresql',
        postgresUrl: `${TEST_POSTGRES_URL}/postgres`,
        entities: testEntities,
        migrations: testMigrations,
      });
      await admin.orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
      await admin.close();
    }
  });
});

describe('assertMigrationsMatchEntities', () => {
  test('passes when the migrations produce the entities', async () => {
    await assertMigrationsMatchEntities({
      service: 'platform-test',
      entities: testEntities,
      migrations: testMigrations,
      postgresUrl: TEST_POSTGRES_URL,
    });
  });

  test('names the missing SQL on both dialects when an entity drifts', async () => {
    const Drifted = defineEntity({
      name: 'Note',
      tableName: 'note',
      properties: {
        id: p.uuid().primary(),
        comune: p.string().length(6).index(),
        title: p.string().length(200),
        archived: p.boolean().default(false),
      },
    });
    const check = assertMigrationsMatchEntities({
      service: 'platform-test',
      entities: [Drifted, Setting],
      migrations: testMigrations,
      postgresUrl: TEST_POSTGRES_URL,
    });
    await expect(check).rejects.toThrow(MigrationDriftError);
    await expect(check).rejects.toThrow(/sqlite:[\s\S]*archived[\s\S]*postgresql:[\s\S]*archived/);
  });
});

describe('createDatabase configuration', () => {
  test('rejects a missing location with a message naming the option', async () => {
    const base = { service: 'identity', entities: testEntities, migrations: testMigrations } as const;
    await expect(createDatabase({ ...base, driver: 'sqlite' })).rejects.toThrow(/sqlitePath is required/);
    await expect(createDatabase({ ...base, driver: 'postgresql' })).rejects.toThrow(
      /postgresUrl is required/,
    );
    await expect(createDatabase({ ...base, driver: 'postgresql', postgresUrl: 'mysql://x' })).rejects.toThrow(
      DatabaseConfigError,
    );
  });
});
