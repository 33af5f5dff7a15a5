import { createTestDatabase, DATABASE_DRIVERS } from '@sportello/test-support';
import { computeFiscalCode } from '@sportello/schema';
import { describe, expect, it } from 'vitest';
import { PRACTICE_TYPE_CATALOGUE } from '../domain/catalogue.js';
import { PRACTICES_ENTITIES } from '../entities/index.js';
import { PracticeChangeEntity, PracticeEntity } from '../entities/practice.entity.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { seedPractices, type PracticesSeedPerson } from './index.js';

const COMUNE = { istat: '099001', name: 'Borgo Demo', centre: { lat: 45.07, lon: 7.68 } };

function people(count: number): PracticesSeedPerson[] {
  return Array.from({ length: count }, (_, i) => ({
    fiscalCode: computeFiscalCode({
      surname: 'Rossi',
      name: `Mario${String.fromCharCode(65 + (i % 26))}`,
      sex: 'M',
      birthDate: `19${60 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
      birthPlaceCode: 'H501',
    }),
    relationship: i % 3 === 2 ? 'child' : 'head',
    birthDate: '1980-01-01',
    address: { street: 'Via Roma', number: String(i + 1), postcode: '10100' },
  }));
}

describe('practices seed', () => {
  it.each(DATABASE_DRIVERS)('seeds practices in every state once, with progress (%s)', async (driver) => {
    const db = await createTestDatabase({
      service: 'practices',
      driver,
      entities: PRACTICES_ENTITIES,
      migrations: { sqlite, postgresql },
    });
    try {
      const progress: number[] = [];
      const input = { comune: COMUNE, people: people(90), practices: 400 };
      const result = await seedPractices(db.database, input, (done) => progress.push(done));
      expect(result).toMatchObject({
        types: PRACTICE_TYPE_CATALOGUE.length,
        calendars: 4,
        practices: 400,
        reports: 6,
      });
      expect(progress.at(-1)).toBe(PRACTICE_TYPE_CATALOGUE.length + 4 + 400 + 6);
      const em = db.database.fork({ comune: COMUNE.istat });
      const statuses = new Set(
        (await em.find(PracticeEntity, {}, { fields: ['status'] })).map((p) => p.status),
      );
      expect(statuses).toEqual(
        new Set([
          'draft',
          'registered',
          'taken-in-charge',
          'integration-requested',
          'processing',
          'accepted',
          'rejected',
          'withdrawn',
        ]),
      );
      const numbers = (await em.find(PracticeEntity, { protocolNumber: { $ne: null } })).map(
        (p) => p.protocolNumber,
      );
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(await em.count(PracticeChangeEntity, {})).toBeGreaterThan(400);
      expect(await seedPractices(db.database, input)).toEqual({
        types: 0,
        calendars: 0,
        practices: 0,
        reports: 0,
      });
    } finally {
      await db.dispose();
    }
  });
});
