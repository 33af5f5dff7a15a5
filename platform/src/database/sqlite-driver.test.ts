import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Database } from './database.js';
import { SqlitePlatform } from '@mikro-orm/sql';
import { bindStatement, cachePreparedStatements, preparedStatementCounts } from './sqlite-driver.js';
import { Note } from './test-support/entities.js';
import { scratchDatabase, type ScratchDatabase } from './test-support/databases.js';

const ROMA = '058091';

interface NativeStatement {
  all(parameters?: unknown[]): Record<string, unknown>[];
}
interface NativeDatabase {
  prepare(sql: string): NativeStatement;
}

describe('the embedded (SQLite) driver keeps its prepared statements', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let native: NativeDatabase;

  beforeEach(async () => {
    scratch = await scratchDatabase('sqlite');
    database = await scratch.open();
    await database.migrate();
    const connection = database.orm.em.getConnection() as unknown as {
      getNativeClient(): Promise<NativeDatabase>;
    };
    native = await connection.getNativeClient();
  });
  afterEach(async () => {
    await scratch.dispose();
  });

  test('a statement run twice is compiled once, and each run sees its own parameters', async () => {
    const em = database.fork({ comune: ROMA });
    for (const title of ['uno', 'due', 'tre']) em.create(Note, { id: randomUUID(), comune: ROMA, title });
    await em.flush();
    const byTitle = (title: string) => database.fork({ comune: ROMA }).findOne(Note, { title });
    expect((await byTitle('uno'))?.title).toBe('uno');
    expect((await byTitle('tre'))?.title).toBe('tre');
    expect(await byTitle('quattro')).toBeNull();
    const sql = 'select count(*) as n from note where title <> ?';
    expect(native.prepare(sql)).toBe(native.prepare(sql));
    expect(native.prepare(sql).all(['uno'])).toEqual([{ n: 2 }]);
  });

  test('statements that differ only in their values are compiled once, with their values bound', async () => {
    const em = database.fork({ comune: ROMA });
    for (const title of ['uno', "l'altro", 'tre?'])
      em.create(Note, { id: randomUUID(), comune: ROMA, title });
    await em.flush();
    const byTitle = (title: string) => database.fork({ comune: ROMA }).findOne(Note, { title });
    await byTitle('uno');
    const before = preparedStatementCounts(native)!;
    for (const title of ["l'altro", 'tre?', 'nessuna', 'uno']) await byTitle(title);
    const after = preparedStatementCounts(native)!;
    expect(after.compiled - before.compiled).toBe(0);
    expect(after.reused - before.reused).toBe(4);
    // The values read back are the ones written, quotes and question marks included.
    expect((await byTitle("l'altro"))?.title).toBe("l'altro");
    expect(await database.fork({ comune: ROMA }).count(Note, { title: { $in: ['uno', 'tre?', 'x'] } })).toBe(
      2,
    );
  });

  test('each kind of value is stored and compared as it was when MikroORM wrote it into the SQL', async () => {
    const connection = database.orm.em.getConnection();
    await connection.execute(
      'create table sample (n integer, r real, t text, b boolean, d datetime, j json)',
    );
    const when = new Date('2026-12-07T10:00:00Z');
    await connection.execute(
      'insert into sample values (?, ?, ?, ?, ?, ?)',
      [3, 2.5, 7, true, when, { a: [1] }],
      'run',
    );
    const rows = await connection.execute(
      'select n, typeof(n) as tn, r, t, typeof(t) as tt, b, d, typeof(d) as td, j from sample where b = ? and d = ? and n in (?)',
      [true, when, [1, 3]],
    );
    expect(rows).toEqual([
      {
        n: 3,
        tn: 'integer',
        r: 2.5,
        t: '7',
        tt: 'text',
        b: 1,
        d: when.getTime(),
        td: 'integer',
        j: '{"a":[1]}',
      },
    ]);
  });

  test('a rolled back transaction leaves the kept statements working', async () => {
    await expect(
      database.fork({ comune: ROMA }).transactional(async (em) => {
        em.create(Note, { id: randomUUID(), comune: ROMA, title: 'annullata' });
        await em.flush();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const em = database.fork({ comune: ROMA });
    em.create(Note, { id: randomUUID(), comune: ROMA, title: 'tenuta' });
    await em.flush();
    const titles = (await database.fork({ comune: ROMA }).find(Note, {})).map((note) => note.title);
    expect(titles).toEqual(['tenuta']);
  });

  test('a kept statement follows a change of the schema', async () => {
    const sql = 'select * from note limit 1';
    const em = database.fork({ comune: ROMA });
    em.create(Note, { id: randomUUID(), comune: ROMA, title: 'prima' });
    await em.flush();
    const before = Object.keys(native.prepare(sql).all()[0]!);
    await database.orm.em.getConnection().execute('alter table note add column extra text');
    const after = Object.keys(native.prepare(sql).all()[0]!);
    expect(after).toEqual([...before, 'extra']);
  });
});

describe('bindStatement', () => {
  const platform = new SqlitePlatform();

  test('binds each value as SQLite would have read it written in, and writes in identifiers and raw SQL', () => {
    const when = new Date('2026-12-07T10:00:00Z');
    expect(
      bindStatement(
        platform,
        'select ?? from t where a = ? and b in (?) and c = ? and d = ? and e = ? and f = ? and g like \\? and h = ?',
        ['t.name', 3, ['x', 2.5, null], true, when, { k: [1] }, undefined, 'it?'],
      ),
    ).toEqual({
      sql: 'select `t`.`name` from t where a = ? and b in (?, ?, ?) and c = ? and d = ? and e = ? and f = ? and g like ? and h = ?',
      parameters: [3n, 'x', 2.5, null, 1n, BigInt(when.getTime()), '{"k":[1]}', null, 'it?'],
    });
  });
});

describe('cachePreparedStatements', () => {
  test('keeps the most recently used statements and compiles again what it dropped', () => {
    const compiledSql: string[] = [];
    const database = {
      prepare: (sql: string): unknown => {
        compiledSql.push(sql);
        return { sql };
      },
    };
    const counts = cachePreparedStatements(database, 2);
    const a = database.prepare('a');
    database.prepare('b');
    expect(database.prepare('a')).toBe(a); // a is now the most recent
    database.prepare('c'); // drops b, the least recently used
    database.prepare('a');
    database.prepare('b');
    expect(compiledSql).toEqual(['a', 'b', 'c', 'b']);
    expect({ compiled: counts.compiled(), reused: counts.reused() }).toEqual({ compiled: 4, reused: 2 });
  });
});
