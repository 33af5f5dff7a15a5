import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import { computeFiscalCode, isValidNoticeNumber } from '@sportello/schema';
import { InstalmentEntity } from '../entities/instalment.entity.js';
import { COMUNE, startTributi, type TestTributi } from '../test-support/harness.js';
import { addDays, civilDate } from '@sportello/platform';

const START = `mutation ($input: NewPaymentBulkJobInput!) { startPaymentBulkJob(input: $input) { id status total processed idempotencyKey } }`;
const JOB = `query ($id: ID!) { paymentBulkJob(id: $id) { status total processed error } }`;
const CANCEL = `mutation ($id: ID!) { cancelPaymentBulkJob(id: $id) { id status processed total finishedAt } }`;
const RETRY = `mutation ($id: ID!) { retryPaymentBulkJob(id: $id) { id status error } }`;

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
    const today = civilDate(new Date());
    const codes = payers(10_000);
    const answer = await t.graphql(START, {
      token: staff,
      variables: {
        input: {
          idempotencyKey: 'TARI-2026-saldo',
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

    // Read while it runs, as an office would: each reading is kept.
    const progress: number[] = [];
    let current: { status: string; processed: number; error: string | null } | undefined;
    const read = async () => {
      const state = await t!.graphql(JOB, { token: staff, variables: { id: job.id } });
      current = state.data?.['paymentBulkJob'] as typeof current;
      progress.push(current!.processed);
      return current!.status;
    };
    await expect.poll(read, { timeout: 170_000, interval: 100 }).toMatch(/^(COMPLETED|FAILED)$/);
    expect(current).toMatchObject({ status: 'COMPLETED', processed: 10_000, error: null });
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
          idempotencyKey: 'TARI-2026-saldo-bis',
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

describe.each(DATABASE_DRIVERS)('what the tributi office can do with a bulk run on %s', (driver) => {
  let t: TestTributi | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const run = (key: string, codes: readonly string[], refPrefix?: string) => ({
    idempotencyKey: key,
    kind: 'TARI',
    year: 2026,
    description: 'TARI 2026 - acconto',
    dueDates: [addDays(civilDate(new Date()), 45)],
    items: codes.map((payerFiscalCode, index) => ({
      payerFiscalCode,
      amountCents: 5_000 + index,
      ...(refPrefix === undefined ? {} : { externalRef: `${refPrefix}-${index}` }),
    })),
  });
  const positionsCount = async (test: TestTributi) => {
    const totals = await test.graphql('{ paymentTotals(kind: TARI) { count } }', {
      token: await test.tokens.staff(),
    });
    return (totals.data?.['paymentTotals'] as { count: number }[]).reduce((sum, row) => sum + row.count, 0);
  };

  it('bills each payer once when the same run is sent twice at once, and refuses the key for another run', async () => {
    t = await startTributi(driver, { bulkBatchSize: 50 });
    const staff = await t.tokens.staff();
    const codes = payers(200);
    // Without externalRef nothing else tells the two submissions apart: the key does.
    const [first, second] = await Promise.all([
      t.graphql(START, { token: staff, variables: { input: run('TARI-2026-acconto', codes) } }),
      t.graphql(START, { token: staff, variables: { input: run('TARI-2026-acconto', codes) } }),
    ]);
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    const id = (first.data?.['startPaymentBulkJob'] as { id: string }).id;
    expect(second.data?.['startPaymentBulkJob']).toMatchObject({ id, idempotencyKey: 'TARI-2026-acconto' });
    await t.tributi.bulkJobsIdle();
    expect(await positionsCount(t)).toBe(200);
    const jobs = await t.graphql('{ paymentBulkJobs { totalCount nodes { id status } } }', { token: staff });
    expect(jobs.data?.['paymentBulkJobs']).toEqual({ totalCount: 1, nodes: [{ id, status: 'COMPLETED' }] });

    // Once done, the same submission still answers with the same job; other content is refused.
    const later = await t.graphql(START, {
      token: staff,
      variables: { input: run('TARI-2026-acconto', codes) },
    });
    expect(later.data?.['startPaymentBulkJob']).toMatchObject({ id, status: 'COMPLETED', processed: 200 });
    const other = await t.graphql(START, {
      token: staff,
      variables: { input: run('TARI-2026-acconto', codes.slice(0, 10)) },
    });
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    expect(other.errors?.[0]?.message).toContain('Idempotency key TARI-2026-acconto was already used');
    const bad = await t.graphql(START, {
      token: staff,
      variables: { input: run('TARI 2026/acconto', codes) },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.idempotencyKey',
    });
    const none = await t.graphql(START, {
      token: staff,
      variables: { input: { ...run('x', codes), idempotencyKey: undefined } },
    });
    expect(none.errors?.[0]?.message).toMatch(/idempotencyKey/);
    expect(await positionsCount(t)).toBe(200);
  }, 60_000);

  it('cancels a run: no position is made for the items left, those made stay, and it cannot be cancelled twice', async () => {
    t = await startTributi(driver, { bulkBatchSize: 10 });
    const staff = await t.tokens.staff();
    const started = await t.graphql(START, {
      token: staff,
      variables: { input: run('IMU-cancel', payers(2_000)) },
    });
    const id = (started.data?.['startPaymentBulkJob'] as { id: string }).id;
    const cancelled = await t.graphql(CANCEL, { token: staff, variables: { id } });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.['cancelPaymentBulkJob']).toMatchObject({ id, status: 'CANCELLED', total: 2_000 });
    await t.tributi.bulkJobsIdle();
    const job = (await t.graphql(JOB, { token: staff, variables: { id } })).data?.['paymentBulkJob'] as {
      status: string;
      processed: number;
    };
    expect(job.status).toBe('CANCELLED');
    expect(job.processed).toBeLessThan(2_000);
    // Exactly the positions counted as processed exist: a batch in flight was either kept or undone.
    expect(await positionsCount(t)).toBe(job.processed);

    const again = await t.graphql(CANCEL, { token: staff, variables: { id } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 'cancelled' });
    const retried = await t.graphql(RETRY, { token: staff, variables: { id } });
    expect(retried.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    const citizen = await t.tokens.citizen(payers(1)[0]!);
    const refused = await t.graphql(CANCEL, { token: citizen, variables: { id } });
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const missing = await t.graphql(CANCEL, {
      token: staff,
      variables: { id: '0190a0b0-0000-7000-8000-000000000000' },
    });
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  }, 60_000);

  it('says in words why a run stopped, never the database text, and a retry resumes without repeating anything', async () => {
    t = await startTributi(driver, { bulkBatchSize: 10 });
    const staff = await t.tokens.staff();
    const codes = payers(400);
    // Two runs queued together, the second repeating the first's last reference: both pass the
    // checks (neither is made yet); the second stops when it meets it.
    const first = await t.graphql(START, { token: staff, variables: { input: run('run-a', codes, 'A') } });
    const secondItems = run('run-b', codes.slice(0, 20), 'B');
    secondItems.items[15]!.externalRef = 'A-399';
    const second = await t.graphql(START, { token: staff, variables: { input: secondItems } });
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    const id = (second.data?.['startPaymentBulkJob'] as { id: string }).id;
    await t.tributi.bulkJobsIdle();
    const failed = (await t.graphql(JOB, { token: staff, variables: { id } })).data?.['paymentBulkJob'] as {
      status: string;
      processed: number;
      error: string;
    };
    expect(failed).toMatchObject({ status: 'FAILED', processed: 10 });
    expect(failed.error).toContain('positions with the references A-399 were created meanwhile');
    expect(failed.error).toContain('the 10 positions created before stay');
    expect(failed.error).not.toMatch(/unique|constraint|duplicate|sqlite|insert/i);
    expect(await positionsCount(t)).toBe(410);

    const retried = await t.graphql(RETRY, { token: staff, variables: { id } });
    expect(retried.data?.['retryPaymentBulkJob']).toMatchObject({ id, status: 'QUEUED', error: null });
    await t.tributi.bulkJobsIdle();
    const again = (await t.graphql(JOB, { token: staff, variables: { id } })).data?.['paymentBulkJob'];
    expect(again).toMatchObject({ status: 'FAILED', processed: 10 });
    expect(await positionsCount(t)).toBe(410);
    // Given up on: cancelled, what was made stays.
    const cancelled = await t.graphql(CANCEL, { token: staff, variables: { id } });
    expect(cancelled.data?.['cancelPaymentBulkJob']).toMatchObject({ status: 'CANCELLED', processed: 10 });
  }, 60_000);
});
