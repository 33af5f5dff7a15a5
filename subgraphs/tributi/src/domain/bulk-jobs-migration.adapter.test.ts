import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database, type DatabaseDriver } from '@sportello/platform';
import { describe, expect, it } from 'vitest';
import { TRIBUTI_ENTITIES } from '../entities/index.js';
import { BulkJobItemEntity } from '../entities/bulk-job-item.entity.js';
import { BulkJobEntity } from '../entities/bulk-job.entity.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';

const ITEMS_AS_ROWS = 'Migration20261207074715_bulk_job_items';
const COMUNE = '001272';

/** Opens a fresh tributi database migrated up to (not including) `before`; `upgrade` adds the rest. */
async function databaseBefore(driver: DatabaseDriver, before: string) {
  const all = { sqlite, postgresql };
  const until = (list: typeof sqlite) =>
    list.slice(
      0,
      list.findIndex((m) => m.name === before),
    );
  const migrations = { sqlite: until(sqlite), postgresql: until(postgresql) };
  const dir = driver === 'sqlite' ? await mkdtemp(join(tmpdir(), 'sportello-tributi-')) : undefined;
  const postgresDatabase = `sportello_test_tributi_${randomBytes(5).toString('hex')}`;
  const open = (chosen: typeof migrations) =>
    createDatabase({
      service: 'tributi',
      driver,
      entities: TRIBUTI_ENTITIES,
      migrations: chosen,
      ...(dir === undefined
        ? { postgresUrl: 'postgres://postgres@127.0.0.1:5432', postgresDatabase }
        : { sqlitePath: join(dir, 'tributi.sqlite') }),
    });
  const old = await open(migrations);
  await old.migrate();
  return {
    old,
    async upgrade(): Promise<Database> {
      await old.close();
      const current = await open(all);
      await current.migrate();
      return current;
    },
    async dispose(database: Database) {
      if (dir !== undefined) {
        await database.close();
        await rm(dir, { recursive: true, force: true });
        return;
      }
      database.orm.config.set('dbName', 'postgres');
      await database.orm.driver.reconnect();
      await database.orm.em
        .getConnection()
        .execute(`drop database if exists "${postgresDatabase}" with (force)`);
      await database.close();
    },
  };
}

describe.each(['sqlite', 'postgresql'] as const)('moving bulk job items to rows on %s', (driver) => {
  it('keeps the items of the jobs still to be worked, in order, and drops those of finished jobs', async () => {
    const steps = await databaseBefore(driver, ITEMS_AS_ROWS);
    const items = [
      { payerFiscalCode: 'RSSMRA80A01H501U', amountCents: 12_050, externalRef: 'H-1', description: null },
      { payerFiscalCode: 'BNCLRA75E45D205K', amountCents: 800, externalRef: null, description: 'Utenza' },
      { payerFiscalCode: 'VRDLCU70A01L219X', amountCents: 9_900, externalRef: 'H-3', description: null },
    ];
    const connection = steps.old.orm.em.getConnection();
    for (const [id, status] of [
      ['0190a0b0-0000-7000-8000-000000000001', 'failed'],
      ['0190a0b0-0000-7000-8000-000000000002', 'completed'],
    ] as const) {
      await connection.execute(
        'insert into bulk_job (id, comune, idempotency_key, request_hash, status, kind, year, description, ' +
          'due_dates, items, total, processed, created_by, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          id,
          COMUNE,
          `key-${status}`,
          'x'.repeat(64),
          status,
          'TARI',
          2026,
          'TARI 2026',
          JSON.stringify(['2026-12-31']),
          JSON.stringify(items),
          3,
          status === 'failed' ? 1 : 3,
          'staff:ops',
          new Date(),
        ],
      );
    }
    const database = await steps.upgrade();
    try {
      const em = database.forkUnscoped();
      const rows = await em.find(BulkJobItemEntity, {}, { orderBy: { jobId: 'asc', seq: 'asc' } });
      expect(rows.map(({ jobId, seq, comune, ...item }) => ({ jobId, seq, comune, ...item }))).toEqual(
        items.map((item, seq) => ({
          jobId: '0190a0b0-0000-7000-8000-000000000001',
          seq,
          comune: COMUNE,
          ...item,
        })),
      );
      const jobs = await em.find(BulkJobEntity, {}, { orderBy: { id: 'asc' } });
      expect(jobs.map((job) => [job.status, job.total, job.processed])).toEqual([
        ['failed', 3, 1],
        ['completed', 3, 3],
      ]);
    } finally {
      await steps.dispose(database);
    }
  });
});
