import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEvent } from '@sportello/schema';
import { feeDue, tributiForFeeTests } from '../test-support/fee-requests.js';
import { COMUNE, MARIO } from '../test-support/harness.js';

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
      ...feeDue(requestId, 1600, 'Imposta di bollo: Certificato di residenza'),
    },
  });
}

describe.each(['sqlite', 'postgresql'] as const)('certificate stamp duty from the bus (%s)', (driver) => {
  const t = tributiForFeeTests(driver);

  it('makes exactly one 16 EUR notice for the requester per request, however often the request arrives', async () => {
    const requestId = randomUUID();
    const request = certificatePaymentRequested(requestId);
    await t.bus.publish(request);
    await t.bus.publish({ ...request });
    await t.bus.publish(certificatePaymentRequested(requestId));

    await expect.poll(() => t.positionsFor(requestId)).toHaveLength(1);
    await t.tributi.flushOutbox();
    await expect.poll(() => t.eventsAbout('payment.position-created', requestId)).toHaveLength(1);
    const [position] = await t.positionsFor(requestId);
    expect(position).toMatchObject({
      kind: 'OTHER',
      amountCents: 1600,
      description: 'Imposta di bollo: Certificato di residenza',
    });
    expect(t.eventsAbout('payment.position-created', requestId)[0]!.data).toMatchObject({
      payerFiscalCode: MARIO,
      amountCents: 1600,
      noticeNumber: position!.instalments[0]!.noticeNumber,
    });

    // Another request gets a notice of its own.
    const other = randomUUID();
    await t.bus.publish(certificatePaymentRequested(other));
    await expect.poll(() => t.positionsFor(other)).toHaveLength(1);
    expect(await t.positionsFor(requestId)).toHaveLength(1);

    // The receipt names the request, so anagrafe can issue the certificate.
    const paid = await t.recordReceipt({
      noticeNumber: position!.instalments[0]!.noticeNumber,
      amountCents: 1600,
      receiptId: `R-${requestId.slice(0, 8)}`,
    });
    expect(paid.errors).toBeUndefined();
    await t.tributi.flushOutbox();
    await expect.poll(() => t.eventsAbout('payment.received', requestId)).toHaveLength(1);
  });

  it('makes no notice for a request that breaks a position rule, and tells anagrafe why', async () => {
    const requestId = randomUUID();
    const request = certificatePaymentRequested(requestId);
    await t.bus.publish({ ...request, data: { ...request.data, dueDate: '2101-01-10' } });
    await expect
      .poll(async () => {
        await t.tributi.flushOutbox();
        return t.eventsAbout('payment.fee-refused', requestId);
      })
      .toHaveLength(1);
    expect(t.eventsAbout('payment.fee-refused', requestId)[0]!.data).toEqual({
      externalRef: requestId,
      payerFiscalCode: MARIO,
      reason: 'year: must be a year from 2000 to 2100, got 2101',
    });
    expect(await t.positionsFor(requestId)).toEqual([]);
    expect(t.eventsAbout('payment.position-created', requestId)).toEqual([]);
  });
});
