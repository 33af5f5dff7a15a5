import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASE_DRIVERS, type TestDatabase } from '@sportello/test-support';
import { PRACTICES_ENTITIES } from '../entities/index.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { nextProtocolNumber } from './protocol.js';

describe.each(DATABASE_DRIVERS)('protocol numbers (%s)', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({
      service: 'practices',
      driver,
      entities: PRACTICES_ENTITIES,
      migrations: { sqlite, postgresql },
    });
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('gives 50 concurrent transactions 50 distinct consecutive numbers, per comune and year', async () => {
    const take = (comune: string, year: number) =>
      db.database.fork({ comune }).transactional((tx) => nextProtocolNumber(tx, comune, year));
    const numbers = await Promise.all(Array.from({ length: 50 }, () => take('099001', 2026)));
    expect(new Set(numbers).size).toBe(50);
    expect([...numbers].sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `2026/${String(i + 1).padStart(6, '0')}`),
    );
    expect(await take('099002', 2026)).toBe('2026/000001');
    expect(await take('099001', 2027)).toBe('2027/000001');
  });

  it('gives a number back when its transaction rolls back', async () => {
    const em = db.database.fork({ comune: '099003' });
    await expect(
      em.transactional(async (tx) => {
        await nextProtocolNumber(tx, '099003', 2026);
        throw new Error('registration failed');
      }),
    ).rejects.toThrow('registration failed');
    expect(await em.transactional((tx) => nextProtocolNumber(tx, '099003', 2026))).toBe('2026/000001');
  });
});
