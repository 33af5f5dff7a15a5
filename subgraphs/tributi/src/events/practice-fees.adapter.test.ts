import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEvent } from '@sportello/schema';
import { feeDue, tributiForFeeTests } from '../test-support/fee-requests.js';
import { COMUNE, MARIO } from '../test-support/harness.js';

/** The practice a fee is for, as every event about it names it. */
const parkingPermit = (practiceId: string) => ({
  practiceId,
  typeCode: 'resident-parking-permit',
  office: 'practices',
  applicantFiscalCode: MARIO,
});

function paymentRequested(practiceId: string, externalRef = practiceId) {
  return createEvent('practice.payment-requested', {
    comune: COMUNE,
    subject: practiceId,
    actor: { kind: 'citizen', id: 'cit_1' },
    data: {
      ...parkingPermit(practiceId),
      typeTitle: 'Permesso di sosta residenti',
      ...feeDue(externalRef, 2000, 'Permesso di sosta residenti'),
    },
  });
}

describe.each(['sqlite', 'postgresql'] as const)('practice fees from the bus (%s)', (driver) => {
  const t = tributiForFeeTests(driver);

  /** A new practice whose payment request tributi has turned into a position; returns its id. */
  async function practiceWithNotice(): Promise<string> {
    const practiceId = randomUUID();
    await t.bus.publish(paymentRequested(practiceId));
    await expect.poll(async () => (await t.positionsFor(practiceId)).length > 0).toBe(true);
    return practiceId;
  }

  /** What tributi says it cancelled for the practice, once its outbox is out. */
  async function cancellationsOf(practiceId: string) {
    await t.tributi.flushOutbox();
    return t.eventsAbout('payment.position-cancelled', practiceId).map((event) => event.data);
  }

  it('makes one position for the applicant with the practice as reference, however often the request arrives', async () => {
    const practiceId = randomUUID();
    const request = paymentRequested(practiceId);
    await t.bus.publish(request);
    // The same event delivered again, and the same request sent again under another event id.
    await t.bus.publish({ ...request });
    await t.bus.publish(paymentRequested(practiceId));

    await expect.poll(() => t.positionsFor(practiceId)).toHaveLength(1);
    await t.tributi.flushOutbox();
    await expect.poll(() => t.eventsAbout('payment.position-created', practiceId)).toHaveLength(1);
    const [position] = await t.positionsFor(practiceId);
    expect(position).toMatchObject({
      kind: 'OTHER',
      amountCents: 2000,
      description: 'Permesso di sosta residenti',
    });
    const created = t.eventsAbout('payment.position-created', practiceId)[0]!;
    expect(created.data).toMatchObject({
      payerFiscalCode: MARIO,
      amountCents: 2000,
      noticeNumber: position!.instalments[0]!.noticeNumber,
      externalRef: practiceId,
    });

    // The receipt names the practice too, so practices can move it on.
    const paid = await t.recordReceipt({
      noticeNumber: position!.instalments[0]!.noticeNumber,
      amountCents: 2000,
      receiptId: `R-${practiceId.slice(0, 8)}`,
    });
    expect(paid.errors).toBeUndefined();
    await t.tributi.flushOutbox();
    await expect.poll(() => t.eventsAbout('payment.received', practiceId)).toHaveLength(1);
  });

  it('cancels the notice still to pay when staff exempt the practice, with the reason', async () => {
    const practiceId = await practiceWithNotice();
    const exempted = createEvent('practice.fee-exempted', {
      comune: COMUNE,
      subject: practiceId,
      actor: { kind: 'staff', id: 'urp.bianchi' },
      data: {
        ...parkingPermit(practiceId),
        externalRef: practiceId,
        reason: 'Residente con invalidità riconosciuta',
      },
    });
    await t.bus.publish(exempted);
    await t.bus.publish({ ...exempted });
    await expect
      .poll(() => cancellationsOf(practiceId))
      .toEqual([expect.objectContaining({ reason: 'Esenzione: Residente con invalidità riconosciuta' })]);
  });

  it('cancels what is still to pay for a practice the citizen withdrew', async () => {
    const practiceId = await practiceWithNotice();
    const withdrawn = createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: practiceId,
      actor: { kind: 'citizen', id: 'cit_1' },
      data: {
        ...parkingPermit(practiceId),
        onBehalfOfFiscalCode: null,
        protocolNumber: null,
        from: 'payment-pending',
        to: 'withdrawn',
      },
    });
    await t.bus.publish(withdrawn);
    await expect
      .poll(() => cancellationsOf(practiceId))
      .toEqual([expect.objectContaining({ reason: 'Pratica ritirata dal richiedente' })]);
  });
});
