import { createTestDatabase, DATABASE_DRIVERS, type TestDatabase } from '@sportello/test-support';
import { computeFiscalCode } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentsInZones } from '../domain/residents.js';
import { ANAGRAFE_ENTITIES } from '../entities/index.js';
import { IdentityDocumentEntity } from '../entities/identity-document.entity.js';
import { ResidentEntity } from '../entities/resident.entity.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { seedAnagrafe, type AnagrafeSeed, type SeedPerson } from './index.js';
import { daysBetween } from '@sportello/platform';

const COMUNE = '999001';
const TODAY = '2026-03-15';
const ZONES = ['centro', 'fiume', 'collina', 'frazione-nord'];
const NAMES = ['Mario', 'Giulia', 'Luca', 'Anna', 'Paolo', 'Sara', 'Marco', 'Elena', 'Franco', 'Rita'];
const SURNAMES = ['Rossi', 'Bianchi', 'Verdi', 'Neri', 'Gallo', 'Conti', 'Marino', 'Greco', 'Bruno', 'Costa'];

/** A town shaped like the hub's generated population: households of two adults and children. */
function population(households: number): AnagrafeSeed {
  const streets = ZONES.flatMap((zone, z) =>
    [0, 1, 2].map((n) => ({ name: `Via ${zone} ${n + 1}`, zone, postcode: z === 3 ? '12043' : '12042' })),
  );
  const people: SeedPerson[] = [];
  const taken = new Set<string>();
  for (let h = 0; h < households; h++) {
    const street = streets[h % streets.length]!;
    const address = {
      street: street.name,
      number: String((h % 90) + 1),
      postcode: street.postcode,
      zone: street.zone,
    };
    const members: Array<[SeedPerson['relationship'], number, 'F' | 'M']> = [
      ['head', 30 + (h % 50), 'M'],
      ['spouse', 28 + (h % 50), 'F'],
      ['child', h % 17, h % 2 === 0 ? 'F' : 'M'],
    ];
    members.forEach(([relationship, age, sex], m) => {
      const familyName = SURNAMES[h % SURNAMES.length]!;
      let birthDate = `${2025 - age}-${String((h % 12) + 1).padStart(2, '0')}-${String(((h + m * 7) % 28) + 1).padStart(2, '0')}`;
      const givenName = NAMES[(h + m) % NAMES.length]!;
      let fiscalCode = computeFiscalCode({
        surname: familyName,
        name: givenName,
        birthDate,
        sex,
        birthPlaceCode: 'D205',
      });
      for (let bump = 1; taken.has(fiscalCode); bump++) {
        birthDate = `${2025 - age - bump}${birthDate.slice(4)}`;
        fiscalCode = computeFiscalCode({
          surname: familyName,
          name: givenName,
          birthDate,
          sex,
          birthPlaceCode: 'D205',
        });
      }
      taken.add(fiscalCode);
      people.push({
        fiscalCode,
        givenName,
        familyName,
        sex,
        birthDate,
        birthPlaceCode: 'D205',
        birthPlaceName: 'Cuneo',
        citizenship: h % 10 === 0 ? 'RO' : 'IT',
        civilStatus: relationship === 'child' ? 'single' : 'married',
        householdId: `F${String(h + 1).padStart(5, '0')}`,
        relationship,
        address,
      });
    });
  }
  return { comune: COMUNE, streets, people };
}

describe.each(DATABASE_DRIVERS)('demo seed on %s', (driver) => {
  let db: TestDatabase;
  const seed = population(800);
  const progress: Array<[number, number]> = [];

  beforeAll(async () => {
    db = await createTestDatabase({
      service: 'anagrafe',
      driver,
      entities: ANAGRAFE_ENTITIES,
      migrations: { sqlite, postgresql },
    });
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('seeds thousands of residents in seconds, with progress, once', async () => {
    const started = Date.now();
    const result = await seedAnagrafe(db.database.fork({ comune: COMUNE }), seed, {
      today: TODAY,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result).toEqual({ residents: 2400, documents: 2400, streets: 12 });
    expect(progress.at(-1)).toEqual([2400, 2400]);
    expect(progress.length).toBeGreaterThan(1);
    expect(await seedAnagrafe(db.database.fork({ comune: COMUNE }), seed, { today: TODAY })).toEqual({
      residents: 0,
      documents: 0,
      streets: 0,
    });
  });

  it('spreads document expiries over every reminder window, expired and paper cards', async () => {
    const em = db.database.fork({ comune: COMUNE });
    const documents = await em.find(IdentityDocumentEntity, {});
    const left = documents.map((d) => daysBetween(TODAY, d.expiresOn));
    expect(left.filter((days) => days >= 0 && days <= 7).length).toBeGreaterThan(0);
    expect(left.filter((days) => days > 7 && days <= 30).length).toBeGreaterThan(0);
    expect(left.filter((days) => days > 30 && days <= 180).length).toBeGreaterThan(0);
    expect(left.filter((days) => days < 0).length).toBeGreaterThan(0);
    expect(documents.filter((d) => d.kind === 'paper').length).toBeGreaterThan(0);
    const voters = await em.count(ResidentEntity, { electoralSection: { $ne: null } });
    expect(voters).toBeGreaterThan(0);
    expect(voters).toBeLessThan(2400);
  });

  it('pages every resident of two zones by fiscal code', async () => {
    const em = db.database.fork({ comune: COMUNE });
    const expected = seed.people
      .filter((p) => p.address.zone === 'centro' || p.address.zone === 'fiume')
      .map((p) => p.fiscalCode)
      .sort();
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await residentsInZones(em, ['centro', 'fiume'], 250, after);
      seen.push(...page.nodes.map((n) => n.fiscalCode));
      expect(page.totalCount).toBe(expected.length);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });
});
