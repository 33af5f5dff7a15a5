import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, type EventEnvelope } from '@sportello/schema';
import { COMUNE, MARIO, POSITION_FIELDS, startTributi, type TestTributi } from '../test-support/harness.js';
import { addDays, civilDate } from '@sportello/platform';

const SEARCH = `query ($filter: PaymentSearchInput) { paymentPositions(filter: $filter) { totalCount nodes { ${POSITION_FIELDS} } } }`;
const RECORD = `mutation ($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }`;

function paymentRequested(practiceId: string, externalRef = practiceId) {
  return createEvent('practice.payment-requested', {
    comune: COMUNE,
    subject: practiceId,
    actor: { kind: 'citizen', id: 'cit_1' },
    data: {
      practiceId,
      typeCode: 'resident-parking-permit',
      typeTitle: 'Permesso di sosta residenti',
      office: 'practices',
      applicantFiscalCode: MARIO,
      externalRef,
      amountCents: 2000,
      dueDate: addDays(civilDate(new Date()), 30),
      description: 'Permesso di sosta residenti',
    },
  });
}

describe.each(['sqlite', 'postgresql'] as const)('practice fees from the bus (%s)', (driver) => {
  let t: TestTributi;
  let staff: string;
  let pagopa: string;

  beforeAll(async () => {
    t = await startTributi(driver);
    staff = await t.tokens.staff();
    pagopa = await t.tokens.service('pagopa');
  });
  afterAll(async () => {
    await t?.close();
  });

  const positionsOf = async (payer: string) => {
    const answer = await t.graphql(SEARCH, {
      token: staff,
      variables: { filter: { payerFiscalCode: payer } },
    });
    expect(answer.errors).toBeUndefined();
    return answer.data?.['paymentPositions'] as {
      totalCount: number;
      nodes: Array<{
        id: string;
        kind: string;
        amountCents: number;
        externalRef: string | null;
        description: string;
        instalments: Array<{ noticeNumber: string; amountCents: number }>;
      }>;
    };
  };
  const eventsAbout = (type: string, externalRef: string) =>
    t.events.filter(
      (event: EventEnvelope) =>
        event.type === type && (event.data as { externalRef?: string | null }).externalRef === externalRef,
    );

  it('makes one position for the applicant with the practice as reference, however often the request arrives', async () => {
    const practiceId = randomUUID();
    const request = paymentRequested(practiceId);
    await t.bus.publish(request);
    // The same event delivered again, and the same request sent again under another event id.
    await t.bus.publish({ ...request });
    await t.bus.publish(paymentRequested(practiceId));

    await expect
      .poll(async () => (await positionsOf(MARIO)).nodes.filter((p) => p.externalRef === practiceId))
      .toHaveLength(1);
    await t.tributi.flushOutbox();
    await expect.poll(() => eventsAbout('payment.position-created', practiceId)).toHaveLength(1);
    const [position] = (await positionsOf(MARIO)).nodes.filter((p) => p.externalRef === practiceId);
    expect(position).toMatchObject({
      kind: 'OTHER',
      amountCents: 2000,
      description: 'Permesso di sosta residenti',
    });
    const created = eventsAbout('payment.position-created', practiceId)[0]!;
    expect(created.data).toMatchObject({
      payerFiscalCode: MARIO,
      amountCents: 2000,
      noticeNumber: position!.instalments[0]!.noticeNumber,
      externalRef: practiceId,
    });

    // The receipt names the practice too, so practices can move it on.
    const paid = await t.graphql(RECORD, {
      token: pagopa,
      variables: {
        input: {
          noticeNumber: position!.instalments[0]!.noticeNumber,
          amountCents: 2000,
          paidAt: new Date().toISOString(),
          receiptId: `R-${practiceId.slice(0, 8)}`,
        },
      },
    });
    expect(paid.errors).toBeUndefined();
    await t.tributi.flushOutbox();
    await expect.poll(() => eventsAbout('payment.received', practiceId)).toHaveLength(1);
  });

  it('cancels the notice still to pay when staff exempt the practice, with the reason', async () => {
    const practiceId = randomUUID();
    await t.bus.publish(paymentRequested(practiceId));
    await expect
      .poll(async () => (await positionsOf(MARIO)).nodes.some((p) => p.externalRef === practiceId))
      .toBe(true);
    const exempted = createEvent('practice.fee-exempted', {
      comune: COMUNE,
      subject: practiceId,
      actor: { kind: 'staff', id: 'urp.bianchi' },
      data: {
        practiceId,
        typeCode: 'resident-parking-permit',
        office: 'practices',
        applicantFiscalCode: MARIO,
        externalRef: practiceId,
        reason: 'Residente con invalidità riconosciuta',
      },
    });
    await t.bus.publish(exempted);
    await t.bus.publish({ ...exempted });
    await expect
      .poll(async () => {
        await t.tributi.flushOutbox();
        return eventsAbout('payment.position-cancelled', practiceId).map((event) => event.data);
      })
      .toEqual([expect.objectContaining({ reason: 'Esenzione: Residente con invalidità riconosciuta' })]);
  });

  it('cancels what is still to pay for a practice the citizen withdrew', async () => {
    const practiceId = randomUUID();
    await t.bus.publish(paymentRequested(practiceId));
    await expect
      .poll(async () => (await positionsOf(MARIO)).nodes.some((p) => p.externalRef === practiceId))
      .toBe(true);
    const withdrawn = createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: practiceId,
      actor: { kind: 'citizen', id: 'cit_1' },
      data: {
        practiceId,
        typeCode: 'resident-parking-permit',
        office: 'practices',
        applicantFiscalCode: MARIO,
        onBehalfOfFiscalCode: null,
        protocolNumber: null,
        from: 'payment-pending',
        to: 'withdrawn',
      },
    });
    await t.bus.publish(withdrawn);
    await expect
      .poll(async () => {
        await t.tributi.flushOutbox();
        return eventsAbout('payment.position-cancelled', practiceId).map((event) => event.data);
      })
      .toEqual([expect.objectContaining({ reason: 'Pratica ritirata dal richiedente' })]);
  });
});
