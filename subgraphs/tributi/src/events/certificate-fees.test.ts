import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, type EventEnvelope } from '@sportello/schema';
import { COMUNE, MARIO, POSITION_FIELDS, startTributi, type TestTributi } from '../test-support/harness.js';
import { addDays, civilDate } from '@sportello/platform';

const SEARCH = `query ($filter: PaymentSearchInput) { paymentPositions(filter: $filter) { totalCount nodes { ${POSITION_FIELDS} } } }`;
const RECORD = `mutation ($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }`;

function certificatePaymentRequested(requestId: string) {
  return createEvent('certificate.payment-requested', {
    comune: COMUNE,
    subject: requestId,
    actor: { kind: 'citizen', id: 'cit_1' },
    data: {
      requestId,
      requesterFiscalCode: MARIO,
      holderFiscalCode: MARIO,
      kinds: ['residence'],
      externalRef: requestId,
      amountCents: 1600,
      dueDate: addDays(civilDate(new Date()), 30),
      description: 'Imposta di bollo: Certificato di residenza',
    },
  });
}

describe.each(['sqlite', 'postgresql'] as const)('certificate stamp duty from the bus (%s)', (driver) => {
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

  const positionsFor = async (externalRef: string) => {
    const answer = await t.graphql(SEARCH, {
      token: staff,
      variables: { filter: { payerFiscalCode: MARIO } },
    });
    expect(answer.errors).toBeUndefined();
    const found = answer.data?.['paymentPositions'] as {
      nodes: Array<{
        kind: string;
        amountCents: number;
        externalRef: string | null;
        description: string;
        instalments: Array<{ noticeNumber: string }>;
      }>;
    };
    return found.nodes.filter((position) => position.externalRef === externalRef);
  };
  const eventsAbout = (type: string, externalRef: string) =>
    t.events.filter(
      (event: EventEnvelope) =>
        event.type === type && (event.data as { externalRef?: string | null }).externalRef === externalRef,
    );

  it('makes exactly one 16 EUR notice for the requester per request, however often the request arrives', async () => {
    const requestId = randomUUID();
    const request = certificatePaymentRequested(requestId);
    await t.bus.publish(request);
    await t.bus.publish({ ...request });
    await t.bus.publish(certificatePaymentRequested(requestId));

    await expect.poll(() => positionsFor(requestId)).toHaveLength(1);
    await t.tributi.flushOutbox();
    await expect.poll(() => eventsAbout('payment.position-created', requestId)).toHaveLength(1);
    const [position] = await positionsFor(requestId);
    expect(position).toMatchObject({
      kind: 'OTHER',
      amountCents: 1600,
      description: 'Imposta di bollo: Certificato di residenza',
    });
    expect(eventsAbout('payment.position-created', requestId)[0]!.data).toMatchObject({
      payerFiscalCode: MARIO,
      amountCents: 1600,
      noticeNumber: position!.instalments[0]!.noticeNumber,
    });

    // Another request gets a notice of its own.
    const other = randomUUID();
    await t.bus.publish(certificatePaymentRequested(other));
    await expect.poll(() => positionsFor(other)).toHaveLength(1);
    expect(await positionsFor(requestId)).toHaveLength(1);

    // The receipt names the request, so anagrafe can issue the certificate.
    const paid = await t.graphql(RECORD, {
      token: pagopa,
      variables: {
        input: {
          noticeNumber: position!.instalments[0]!.noticeNumber,
          amountCents: 1600,
          paidAt: new Date().toISOString(),
          receiptId: `R-${requestId.slice(0, 8)}`,
        },
      },
    });
    expect(paid.errors).toBeUndefined();
    await t.tributi.flushOutbox();
    await expect.poll(() => eventsAbout('payment.received', requestId)).toHaveLength(1);
  });

  it('makes no notice for a request that breaks a position rule, and tells anagrafe why', async () => {
    const requestId = randomUUID();
    const request = certificatePaymentRequested(requestId);
    await t.bus.publish({ ...request, data: { ...request.data, dueDate: '2101-01-10' } });
    await expect
      .poll(async () => {
        await t.tributi.flushOutbox();
        return eventsAbout('payment.fee-refused', requestId);
      })
      .toHaveLength(1);
    expect(eventsAbout('payment.fee-refused', requestId)[0]!.data).toEqual({
      externalRef: requestId,
      payerFiscalCode: MARIO,
      reason: 'year: must be a year from 2000 to 2100, got 2101',
    });
    expect(await positionsFor(requestId)).toEqual([]);
    expect(eventsAbout('payment.position-created', requestId)).toEqual([]);
  });
});
