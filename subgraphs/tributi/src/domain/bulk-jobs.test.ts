import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_DRIVERS } from '@sportello/platform/testing';
import { computeFiscalCode, isValidNoticeNumber } from '@sportello/schema';
import { InstalmentEntity } from '../entities/instalment.entity.js';
import { COMUNE, startTributi, type TestTributi } from '../test-support/harness.js';
import { addDays, italianDay } from './calendar.js';

const START = `mutation ($input: NewPaymentBulkJobInput!) { startPaymentBulkJob(input: $input) { id status total processed } }`;
const JOB = `query ($id: ID!) { paymentBulkJob(id: $id) { status total processed error } }`;

/** Distinct, valid fiscal codes for `count` payers. */
function payers(count: number): string[] {
  const names = ['ROSSI', 'BIANCHI', 'VERDI', 'NERI', 'GALLI', 'CONTI', 'MARINO', 'GRECO'];
  const codes = new Set<string>();
  for (let i = 0; codes.size < count; i += 1) {
    codes.add(
      computeFiscalCode({
        surname: names[i % names.length] ?? 'ROSSI',
        name: ['MARIO', 'ANNA', 'LUCA', 'SARA', 'PAOLO'][Math.floor(i / 8) % 5] ?? 'MARIO',
        sex: i % 2 === 0 ? 'M' : 'F',
        birthDate: addDays('1940-01-01', Math.floor(i / 40)),
        birthPlaceCode: ['H501', 'F205', 'L219', 'D969'][Math.floor(i / 10) % 4] ?? 'H501',
      }),
    );
  }
  return [...codes];
}

describe.each(DATABASE_DRIVERS)('a TARI bulk run on %s', (driver) => {
  let t: TestTributi | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('creates 10,000 positions with 10,000 distinct valid notices, with progress readable while it runs', async () => {
    t = await startTributi(driver, { bulkBatchSize: 1_000 });
    const staff = await t.tokens.staff();
    const today = italianDay(new Date());
    const codes = payers(10_000);
    const answer = await t.graphql(START, {
      token: staff,
      variables: {
        input: {
          kind: 'TARI',
          year: 2026,
          description: 'TARI 2026 - saldo',
          dueDates: [addDays(today, 45)],
          items: codes.map((payerFiscalCode, index) => ({
            payerFiscalCode,
            amountCents: 10_000 + index,
            externalRef: `H-${index}`,
          })),
        },
      },
    });
    expect(answer.errors).toBeUndefined();
    const job = answer.data?.['startPaymentBulkJob'] as { id: string; total: number };
    expect(job.total).toBe(10_000);

    const progress: number[] = [];
    for (;;) {
      const state = await t.graphql(JOB, { token: staff, variables: { id: job.id } });
      const current = state.data?.['paymentBulkJob'] as {
        status: string;
        processed: number;
        error: string | null;
      };
      progress.push(current.processed);
      if (current.status === 'COMPLETED' || current.status === 'FAILED') {
        expect(current).toMatchObject({ status: 'COMPLETED', processed: 10_000, error: null });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(progress.every((value) => value % 1_000 === 0)).toBe(true);

    const rows = await t.tributi.database
      .fork({ comune: COMUNE })
      .find(InstalmentEntity, {}, { fields: ['noticeNumber'] });
    const notices = rows.map((row) => row.noticeNumber);
    expect(notices).toHaveLength(10_000);
    expect(new Set(notices).size).toBe(10_000);
    expect(notices.every((notice) => isValidNoticeNumber(notice))).toBe(true);

    const totals = await t.graphql('{ paymentTotals(kind: TARI) { status count amountCents } }', {
      token: staff,
    });
    expect(totals.data?.['paymentTotals']).toEqual([
      { status: 'TO_PAY', count: 10_000, amountCents: 10_000 * 10_000 + (9_999 * 10_000) / 2 },
    ]);

    // The same households again: refused as a whole, nothing half-applied.
    const again = await t.graphql(START, {
      token: staff,
      variables: {
        input: {
          kind: 'TARI',
          year: 2026,
          description: 'TARI 2026 - saldo',
          dueDates: [addDays(today, 45)],
          items: [{ payerFiscalCode: codes[0], amountCents: 100, externalRef: 'H-0' }],
        },
      },
    });
    expect(again.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toMatch(
      /input\.items\.0\.externalRef: a position with reference H-0 already exists/,
    );
  }, 180_000); // 10,000 positions on a shared 2-core machine: a bound, not a timing
});
