import { afterEach, describe, expect, it } from 'vitest';
import { computeFiscalCode } from '@sportello/schema';
import { seedTributi, type SeedHousehold, type SeedPerson } from './index.js';
import { COMUNE, startTributi, type TestTributi } from '../test-support/harness.js';
import { addDays, civilDate } from '@sportello/platform';

function population(households: number): { people: SeedPerson[]; households: SeedHousehold[] } {
  const people: SeedPerson[] = [];
  const list: SeedHousehold[] = [];
  for (let h = 0; h < households; h += 1) {
    const head = computeFiscalCode({
      surname: 'ROSSI',
      name: 'MARIO',
      sex: 'M',
      birthDate: addDays('1950-01-01', h),
      birthPlaceCode: 'H501',
    });
    const child = computeFiscalCode({
      surname: 'ROSSI',
      name: 'ANNA',
      sex: 'F',
      birthDate: addDays('2017-01-01', h),
      birthPlaceCode: 'H501',
    });
    people.push(
      { fiscalCode: head, birthDate: addDays('1950-01-01', h), householdId: `F${h}`, relationship: 'head' },
      { fiscalCode: child, birthDate: addDays('2017-01-01', h), householdId: `F${h}`, relationship: 'child' },
    );
    list.push({ id: `F${h}`, members: [head, child] });
  }
  return { people, households: list };
}

describe('demo seed', () => {
  let t: TestTributi | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it.each(['sqlite', 'postgresql'] as const)(
    'gives every household its TARI, a spread of states, reminders to send, and runs once (%s)',
    async (driver) => {
      t = await startTributi(driver);
      const today = civilDate(new Date());
      const input = {
        comune: { istat: COMUNE, name: 'Prova', fiscalCode: '00311260095' },
        today,
        ...population(200),
      };
      const progress: number[] = [];
      const first = await seedTributi(t.tributi.database, input, (done) => progress.push(done));
      expect(first.skipped).toBe(false);
      expect(progress.at(-1)).toBe(first.positions);

      const staff = await t.tokens.staff();
      const totals = (await t.graphql('{ paymentTotals { kind status count } }', { token: staff })).data?.[
        'paymentTotals'
      ] as {
        kind: string;
        status: string;
        count: number;
      }[];
      const count = (kind: string) =>
        totals.filter((row) => row.kind === kind).reduce((sum, row) => sum + row.count, 0);
      expect(count('TARI')).toBe(200);
      expect(count('IMU')).toBeGreaterThan(0);
      expect(count('FINE')).toBeGreaterThan(0);
      expect(count('SCHOOL_CANTEEN')).toBeGreaterThan(0);
      expect(new Set(totals.map((row) => row.status))).toEqual(new Set(['PAID', 'EXPIRED', 'TO_PAY']));

      const again = await seedTributi(t.tributi.database, input);
      expect(again).toEqual({ positions: 0, skipped: true });

      const reminders = await t.tributi.runPaymentReminderJob({ today });
      expect(reminders.dueSoon).toBeGreaterThan(0);
      expect(reminders.overdue).toBeGreaterThan(0);
      await t.settle();
      expect(t.events.filter((e) => e.type === 'payment.position-created')).toHaveLength(0);
      expect(t.events.filter((e) => e.type === 'payment.due-soon')).toHaveLength(reminders.dueSoon);

      // A second run the same day finds every reminder already sent.
      const rerun = await t.tributi.runPaymentReminderJob({ today });
      expect(rerun.dueSoon + rerun.overdue).toBe(0);
    },
  );
});
