import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidNoticeNumber, makeNoticeNumber } from '@sportello/schema';
import {
  CHIARA,
  CHILD,
  MARIO,
  POSITION_FIELDS,
  startTributi,
  type TestTributi,
} from '../test-support/harness.js';
import { addDays, civilDate } from '@sportello/platform';

const today = civilDate(new Date());

const CREATE = `mutation ($input: NewPaymentPositionInput!) { createPaymentPosition(input: $input) { ${POSITION_FIELDS} } }`;
const RECORD = `mutation ($input: PaymentReceiptInput!) {
  recordPaymentReceipt(input: $input) { noticeNumber receiptId positionId amountCents paidAt positionStatus } }`;
const CITIZEN_POSITIONS = `query ($fc: FiscalCode!) {
  _entities(representations: [{ __typename: "Citizen", fiscalCode: $fc }]) {
    ... on Citizen { fiscalCode paymentPositions { totalCount nodes { id status payerFiscalCode } } } } }`;

interface Position {
  id: string;
  status: string;
  amountCents: number;
  instalments: {
    number: number | null;
    amountCents: number;
    amountDueTodayCents: number;
    dueDate: string;
    noticeNumber: string;
    status: string;
    qrPayload: string;
    notice: Record<string, unknown>;
  }[];
}

describe('tributi over HTTP (SQLite)', () => {
  let t: TestTributi;
  let staff: string;
  let pagopa: string;

  async function create(input: Record<string, unknown>): Promise<Position> {
    const answer = await t.graphql(CREATE, { token: staff, variables: { input } });
    expect(answer.errors).toBeUndefined();
    return answer.data?.['createPaymentPosition'] as Position;
  }

  async function pay(
    noticeNumber: string,
    amountCents: number,
    receiptId: string,
    paidAt = new Date().toISOString(),
  ) {
    return t.graphql(RECORD, {
      token: pagopa,
      variables: { input: { noticeNumber, amountCents, paidAt, receiptId } },
    });
  }

  beforeAll(async () => {
    t = await startTributi('sqlite');
    staff = await t.tokens.staff();
    pagopa = await t.tokens.service('pagopa');
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a TARI position with one valid notice per instalment, printed the Italian way', async () => {
    const position = await create({
      kind: 'TARI',
      year: 2026,
      description: 'TARI 2026 - utenza domestica',
      payerFiscalCode: MARIO,
      amountCents: 204_199,
      dueDates: [addDays(today, 30), addDays(today, 120)],
    });
    expect(position.status).toBe('TO_PAY');
    expect(position.instalments.map((i) => i.amountCents)).toEqual([102_100, 102_099]);
    const [first, second] = position.instalments;
    for (const instalment of position.instalments) {
      expect(isValidNoticeNumber(instalment.noticeNumber)).toBe(true);
      expect(instalment.noticeNumber).toMatch(/^302\d{15}$/);
      expect(instalment.qrPayload).toBe(
        `PAGOPA|002|${instalment.noticeNumber}|83000390019|${instalment.amountCents}`,
      );
    }
    expect(first?.noticeNumber).not.toBe(second?.noticeNumber);
    const [y, m, d] = addDays(today, 120).split('-');
    expect(second?.notice).toMatchObject({
      subject: 'TARI 2026 - utenza domestica',
      creditorName: 'Comune di Prova',
      amount: '1.020,99',
      dueDate: `${d}/${m}/${y}`,
      instalment: 2,
      instalmentCount: 2,
    });
    expect(second?.notice['noticeCode']).toBe(second?.noticeNumber.replace(/(\d{4})(?=\d)/g, '$1 '));

    await t.settle();
    const created = t.events.filter(
      (e) => e.type === 'payment.position-created' && e.subject === position.id,
    );
    expect(created.map((e) => (e.data as { noticeNumber: string }).noticeNumber)).toEqual(
      position.instalments.map((i) => i.noticeNumber),
    );
    expect(created[0]?.data).toMatchObject({
      payerFiscalCode: MARIO,
      creditorFiscalCode: '83000390019',
      instalment: 1,
      kind: 'TARI',
    });
  });

  it('refuses bad input naming the bad part, and storing nothing', async () => {
    const answer = await t.graphql(CREATE, {
      token: staff,
      variables: {
        input: {
          kind: 'IMU',
          year: 2026,
          description: 'x'.repeat(91),
          payerFiscalCode: MARIO,
          amountCents: 0,
          dueDates: ['2026-02-30'],
        },
      },
    });
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(answer.errors?.[0]?.message).toMatch(
      /input\.description: must fit the notice's 90 characters, got 91/,
    );
    expect(answer.errors?.[0]?.message).toMatch(/input\.amountCents/);
    expect(answer.errors?.[0]?.message).toMatch(/input\.dueDates\.0/);
    const totals = await t.graphql('{ paymentTotals(kind: IMU) { count } }', { token: staff });
    expect(totals.data?.['paymentTotals']).toEqual([]);
  });

  it('shows a citizen only their own positions; apps need the citizen grant with "tributi"', async () => {
    await create({
      kind: 'IMU',
      year: 2026,
      description: 'IMU 2026',
      payerFiscalCode: CHIARA,
      amountCents: 50_000,
      dueDates: [addDays(today, 10)],
    });

    const own = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.citizen(CHIARA),
      variables: { fc: CHIARA },
    });
    expect(own.errors).toBeUndefined();
    const list = (
      own.data?.['_entities'] as {
        paymentPositions: { totalCount: number; nodes: { payerFiscalCode: string }[] };
      }[]
    )[0];
    expect(list?.paymentPositions.totalCount).toBe(1);
    expect(list?.paymentPositions.nodes.every((n) => n.payerFiscalCode === CHIARA)).toBe(true);

    const other = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.citizen(MARIO),
      variables: { fc: CHIARA },
    });
    expect(other.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const parent = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.citizen(MARIO, [CHILD]),
      variables: { fc: CHILD },
    });
    expect(parent.errors).toBeUndefined();

    const granted = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.app(CHIARA, ['tributi']),
      variables: { fc: CHIARA },
    });
    expect(granted.errors).toBeUndefined();
    const withoutScope = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.app(CHIARA, ['profile']),
      variables: { fc: CHIARA },
    });
    expect(withoutScope.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const clientCredentials = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.app(null, ['tributi']),
      variables: { fc: CHIARA },
    });
    expect(clientCredentials.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const search = await t.graphql('{ paymentPositions { totalCount } }', {
      token: await t.tokens.app(null, ['tributi']),
    });
    expect(search.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const anonymous = await t.graphql(CITIZEN_POSITIONS, { variables: { fc: CHIARA } });
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');

    const before = t.audit.entries.length;
    const staffRead = await t.graphql(CITIZEN_POSITIONS, { token: staff, variables: { fc: CHIARA } });
    expect(staffRead.errors).toBeUndefined();
    expect(t.audit.entries.slice(before)).toEqual([
      expect.objectContaining({
        actor: 'staff:staff.tributi',
        subjectFiscalCode: CHIARA,
        resource: 'Citizen.paymentPositions',
      }),
    ]);
    const anagrafe = await t.graphql(CITIZEN_POSITIONS, {
      token: await t.tokens.staff(['anagrafe']),
      variables: { fc: CHIARA },
    });
    expect(anagrafe.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('records a receipt once, however many times it arrives, and marks the position paid when every instalment is', async () => {
    const position = await create({
      kind: 'TARI',
      year: 2026,
      description: 'TARI 2026',
      payerFiscalCode: MARIO,
      amountCents: 30_000,
      dueDates: [addDays(today, 5), addDays(today, 60)],
    });
    const [first, second] = position.instalments;
    if (first === undefined || second === undefined) throw new Error('two instalments expected');
    const paidAt = new Date().toISOString();
    const once = await pay(first.noticeNumber, 15_000, 'R-0001', paidAt);
    const twice = await pay(first.noticeNumber, 15_000, 'R-0001', paidAt);
    expect(once.errors).toBeUndefined();
    expect(twice).toEqual(once);
    expect(once.data?.['recordPaymentReceipt']).toMatchObject({
      positionStatus: 'TO_PAY',
      amountCents: 15_000,
    });

    const another = await pay(first.noticeNumber, 15_000, 'R-0002');
    expect(another.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');

    const partial = await pay(second.noticeNumber, 14_999, 'R-0003');
    expect(partial.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      expectedCents: 15_000,
      receivedCents: 14_999,
    });
    expect(partial.errors?.[0]?.message).toMatch(/expected 150,00 EUR \(15000 cents\), received 149,99 EUR/);
    const over = await pay(second.noticeNumber, 15_001, 'R-0003');
    expect(over.errors?.[0]?.message).toMatch(/Over-payment/);

    // Over plain HTTP, as a provider without GraphQL would.
    const http = await t.post(
      '/payments/receipts',
      { noticeNumber: second.noticeNumber, amountCents: 15_000, paidAt, receiptId: 'R-0004' },
      pagopa,
    );
    expect(http.status).toBe(200);
    expect(await http.json()).toMatchObject({ positionStatus: 'paid', positionId: position.id });

    await t.settle();
    const received = t.events.filter((e) => e.type === 'payment.received' && e.subject === position.id);
    expect(received.map((e) => (e.data as { noticeNumber: string }).noticeNumber)).toEqual([
      first.noticeNumber,
      second.noticeNumber,
    ]);

    const mine = await t.graphql(`query ($id: ID!) { paymentPosition(id: $id) { status paidAt } }`, {
      token: await t.tokens.citizen(MARIO),
      variables: { id: position.id },
    });
    expect(mine.data?.['paymentPosition']).toMatchObject({ status: 'PAID' });

    const staffToday = await t.graphql(
      '{ paymentsReceived { totalCount nodes { noticeNumber receiptId } } }',
      {
        token: staff,
      },
    );
    const receivedToday = staffToday.data?.['paymentsReceived'] as {
      totalCount: number;
      nodes: { noticeNumber: string; receiptId: string }[];
    };
    expect(receivedToday.nodes).toEqual(
      expect.arrayContaining([{ noticeNumber: first.noticeNumber, receiptId: 'R-0001' }]),
    );
    expect(receivedToday.totalCount).toBe(receivedToday.nodes.length);
  });

  it('rejects receipts for unknown notices, cancelled positions and from callers that are not providers', async () => {
    const never = makeNoticeNumber({ segregationCode: '02', iuvBase: 9_999_999_999_999n });
    const unknown = await pay(never, 1_000, 'R-X');
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(unknown.errors?.[0]?.message).toBe(`No payment notice ${never} was issued by comune 001272`);
    const malformed = await pay('302000000999999900', 1_000, 'R-X');
    expect(malformed.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

    const position = await create({
      kind: 'SECRETARY_FEE',
      year: 2026,
      description: 'Diritti di segreteria',
      payerFiscalCode: CHIARA,
      amountCents: 1_600,
      dueDates: [addDays(today, 3)],
    });
    const notice = position.instalments[0]?.noticeNumber ?? '';
    const citizen = await t.graphql(RECORD, {
      token: await t.tokens.citizen(CHIARA),
      variables: {
        input: {
          noticeNumber: notice,
          amountCents: 1_600,
          paidAt: new Date().toISOString(),
          receiptId: 'R-C',
        },
      },
    });
    expect(citizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const viaHttp = await t.post(
      '/payments/receipts',
      { noticeNumber: notice, amountCents: 1_600, paidAt: new Date().toISOString(), receiptId: 'R-C' },
      await t.tokens.service('notifier'),
    );
    expect(viaHttp.status).toBe(403);

    const cancelled = await t.graphql(
      `mutation ($id: ID!) { cancelPaymentPosition(id: $id, reason: "Emessa per errore") { status } }`,
      {
        token: staff,
        variables: { id: position.id },
      },
    );
    expect(cancelled.data?.['cancelPaymentPosition']).toEqual({ status: 'CANCELLED' });
    const late = await pay(notice, 1_600, 'R-5');
    expect(late.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    const viaClient = await t.post(
      '/payments/receipts',
      { noticeNumber: notice, amountCents: 1_600, paidAt: new Date().toISOString(), receiptId: 'R-6' },
      await t.tokens.app(null, [], 'acme-pay'),
    );
    expect(viaClient.status).toBe(409);
    await t.settle();
    expect(
      t.events.filter((e) => e.type === 'payment.position-cancelled' && e.subject === position.id),
    ).toHaveLength(1);
  });

  it('refuses a receipt paid in the future (beyond a few minutes of clock skew), leaving the notice unpaid', async () => {
    const position = await create({
      kind: 'SECRETARY_FEE',
      year: 2026,
      description: 'Diritti di segreteria',
      payerFiscalCode: MARIO,
      amountCents: 1_600,
      dueDates: [addDays(today, 10)],
    });
    const notice = position.instalments[0]?.noticeNumber ?? '';
    const in2030 = await pay(notice, 1_600, 'R-2030', '2030-06-01T10:00:00Z');
    expect(in2030.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'paidAt' });
    expect(in2030.errors?.[0]?.message).toMatch(/paidAt 2030-06-01T10:00:00.000Z is in the future/);
    const inAnHour = await t.post(
      '/payments/receipts',
      {
        noticeNumber: notice,
        amountCents: 1_600,
        paidAt: new Date(Date.now() + 3_600_000).toISOString(),
        receiptId: 'R-HOUR',
      },
      pagopa,
    );
    expect(inAnHour.status).toBe(400);
    expect(await inAnHour.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'paidAt' } });

    const still = await t.graphql(`query ($id: ID!) { paymentPosition(id: $id) { status paidAt } }`, {
      token: staff,
      variables: { id: position.id },
    });
    expect(still.data?.['paymentPosition']).toEqual({ status: 'TO_PAY', paidAt: null });
    await t.settle();
    expect(t.events.filter((e) => e.type === 'payment.received' && e.subject === position.id)).toEqual([]);

    // A provider clock a minute ahead of ours is tolerated.
    const skewed = await pay(notice, 1_600, 'R-SKEW', new Date(Date.now() + 60_000).toISOString());
    expect(skewed.errors).toBeUndefined();
    expect(skewed.data?.['recordPaymentReceipt']).toMatchObject({ positionStatus: 'PAID' });
  });

  it('charges a fine its reduced amount within 5 days of notification and the full amount after', async () => {
    const recent = await create({
      kind: 'FINE',
      year: 2026,
      description: 'Sanzione CdS',
      payerFiscalCode: MARIO,
      amountCents: 4_200,
      dueDates: [addDays(today, 58)],
      fine: {
        plate: 'AB 123 CD',
        place: 'Via Roma 1',
        article: 'art. 7 c. 1 CdS',
        violatedAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
        notifiedOn: addDays(today, -2),
      },
    });
    expect(recent.instalments[0]).toMatchObject({ amountCents: 4_200, amountDueTodayCents: 2_940 });
    expect(recent.instalments[0]?.notice).toMatchObject({ amount: '29,40', reducedAmount: '29,40' });
    const notice = recent.instalments[0]?.noticeNumber ?? '';
    const full = await pay(notice, 4_200, 'F-1');
    expect(full.errors?.[0]?.extensions).toMatchObject({ expectedCents: 2_940, receivedCents: 4_200 });
    expect((await pay(notice, 2_940, 'F-2')).errors).toBeUndefined();
    // Paid the day after the reduction window (notified 6 days ago): the full amount is due.
    const late = await create({
      kind: 'FINE',
      year: 2026,
      description: 'Sanzione CdS',
      payerFiscalCode: MARIO,
      amountCents: 4_200,
      dueDates: [addDays(today, 54)],
      fine: {
        plate: 'AB 123 CD',
        place: 'Via Roma 1',
        article: 'art. 7 c. 1 CdS',
        violatedAt: new Date(Date.now() - 9 * 86_400_000).toISOString(),
        notifiedOn: addDays(today, -6),
      },
    });
    expect(late.instalments[0]).toMatchObject({ amountDueTodayCents: 4_200 });
    const lateNotice = late.instalments[0]?.noticeNumber ?? '';
    expect((await pay(lateNotice, 2_940, 'F-3')).errors?.[0]?.extensions).toMatchObject({
      expectedCents: 4_200,
    });
    expect((await pay(lateNotice, 4_200, 'F-4')).errors).toBeUndefined();

    const noDetails = await t.graphql(CREATE, {
      token: staff,
      variables: {
        input: {
          kind: 'FINE',
          year: 2026,
          description: 'x',
          payerFiscalCode: MARIO,
          amountCents: 100,
          dueDates: [today],
        },
      },
    });
    expect(noDetails.errors?.[0]?.extensions?.['field']).toBe('input.fine');
  });

  it('sends due-soon and overdue reminders once per instalment and offset, whatever the re-runs', async () => {
    const soon = await create({
      kind: 'SCHOOL_CANTEEN',
      year: 2026,
      description: 'Mensa',
      payerFiscalCode: CHIARA,
      amountCents: 9_000,
      dueDates: [addDays(today, 7)],
    });
    const due = soon.instalments[0];
    await t.settle();
    const count = (type: string) => t.events.filter((e) => e.type === type && e.subject === soon.id).length;

    await t.tributi.runPaymentReminderJob({ today });
    await t.tributi.runPaymentReminderJob({ today });
    await t.settle();
    expect(count('payment.due-soon')).toBe(1);
    const event = t.events.find((e) => e.type === 'payment.due-soon' && e.subject === soon.id);
    expect(event?.data).toEqual({
      positionId: soon.id,
      noticeNumber: due?.noticeNumber,
      amountCents: 9_000,
      dueDate: addDays(today, 7),
      payerFiscalCode: CHIARA,
      creditorFiscalCode: '83000390019',
      description: 'Mensa',
      instalment: null,
      offsetDays: 7,
    });

    await t.tributi.runPaymentReminderJob({ today: addDays(today, 6) });
    await t.tributi.runPaymentReminderJob({ today: addDays(today, 6) });
    await t.settle();
    expect(count('payment.due-soon')).toBe(2);

    await t.tributi.runPaymentReminderJob({ today: addDays(today, 8) });
    await t.tributi.runPaymentReminderJob({ today: addDays(today, 9) });
    await t.settle();
    expect(count('payment.overdue')).toBe(1);
    const status = await t.graphql(`query ($id: ID!) { paymentPosition(id: $id) { status } }`, {
      token: staff,
      variables: { id: soon.id },
    });
    expect(status.data?.['paymentPosition']).toEqual({ status: 'EXPIRED' });
  });

  it('lets staff search with cursor pagination and see totals per kind and status', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page = await t.graphql(
        `query ($after: String) { paymentPositions(filter: { payerFiscalCode: "${MARIO}" }, first: 2, after: $after) {
          totalCount nodes { id payerFiscalCode } pageInfo { endCursor hasNextPage } } }`,
        { token: staff, variables: { after } },
      );
      const data = page.data?.['paymentPositions'] as {
        totalCount: number;
        nodes: { id: string; payerFiscalCode: string }[];
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
      total = data.totalCount;
      seen.push(...data.nodes.map((n) => n.id));
      expect(data.nodes.every((n) => n.payerFiscalCode === MARIO)).toBe(true);
      if (!data.pageInfo.hasNextPage) break;
      after = data.pageInfo.endCursor;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(total).toBeGreaterThanOrEqual(3);

    const byNotice = await t.graphql(
      `{ paymentPositions(filter: { kind: TARI, status: PAID }) { nodes { instalments { noticeNumber } } } }`,
      { token: staff },
    );
    const notice = (
      byNotice.data?.['paymentPositions'] as { nodes: { instalments: { noticeNumber: string }[] }[] }
    ).nodes[0]?.instalments[0]?.noticeNumber;
    const found = await t.graphql(
      `query ($n: NoticeNumber!) { paymentPositions(filter: { noticeNumber: $n }) { totalCount } }`,
      { token: staff, variables: { n: notice } },
    );
    expect(found.data?.['paymentPositions']).toEqual({ totalCount: 1 });

    const totals = await t.graphql('{ paymentTotals(year: 2026) { kind status count amountCents } }', {
      token: staff,
    });
    expect(totals.data?.['paymentTotals']).toEqual(
      expect.arrayContaining([{ kind: 'TARI', status: 'PAID', count: 1, amountCents: 30_000 }]),
    );
    const forbidden = await t.graphql('{ paymentTotals { count } }', {
      token: await t.tokens.citizen(MARIO),
    });
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
