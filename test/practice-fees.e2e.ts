import { describe, expect, it } from 'vitest';
import { landOccupationDraft } from '@sportello/test-support';
import { payingCitizenHubPerSuite } from './support/payments.js';

/**
 * A citizen files a practice that costs a fee, through the gateway as an app would: submitting it
 * asks for payment, tributi makes the pagoPA notice, the practice and the citizen's payments show
 * it, the citizen is told of it, and the payment provider's receipt registers the practice.
 */

const HOUSEHOLDS = 20;

interface FeeView {
  id: string;
  status: string;
  protocolNumber: string | null;
  fee: {
    amountCents: number;
    status: string;
    noticeNumber: string | null;
    dueDate: string | null;
    paidAt: string | null;
  } | null;
  timeline: Array<{ action: string }>;
}

const FIELDS =
  'id status protocolNumber fee { amountCents status noticeNumber dueDate paidAt } timeline { action }';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe.each(['embedded', 'distributed'] as const)(
  'a practice with a fee paid through pagoPA (%s mode)',
  (mode) => {
    const payments = payingCitizenHubPerSuite(mode, HOUSEHOLDS);

    const practice = async (id: string) =>
      (
        await payments.asCitizen<{ practice: FeeView }>(
          `query($id: ID!) { practice(id: $id) { ${FIELDS} } }`,
          { id },
        )
      ).practice;

    it('asks for the fee on submission, shows the notice, tells the citizen and registers the practice once paid', async () => {
      const draft = (
        await payments.asCitizen<{ createPracticeDraft: FeeView }>(
          `mutation($data: JSONObject) { createPracticeDraft(input: { typeCode: "public-land-occupation", data: $data }) { ${FIELDS} } }`,
          { data: landOccupationDraft().data },
        )
      ).createPracticeDraft;
      expect(draft.fee).toMatchObject({ amountCents: 3200, status: 'NOT_REQUESTED' });

      const submitted = (
        await payments.asCitizen<{ submitPractice: FeeView }>(
          `mutation($id: ID!) { submitPractice(id: $id) { ${FIELDS} } }`,
          {
            id: draft.id,
          },
        )
      ).submitPractice;
      expect(submitted).toMatchObject({ status: 'PAYMENT_PENDING', protocolNumber: null });

      // Tributi makes the notice; the practice shows it.
      await expect
        .poll(async () => (await practice(draft.id)).fee?.status, { timeout: 30_000 })
        .toBe('TO_PAY');
      const { fee } = await practice(draft.id);
      expect(fee).toMatchObject({ amountCents: 3200, dueDate: inDays(30) });
      expect(fee!.noticeNumber).toMatch(/^\d{18}$/);

      // It is one of the citizen's payments, and the citizen is told of it like any other notice.
      expect(await payments.myPositionsFor(draft.id)).toEqual([
        { externalRef: draft.id, amountCents: 3200, instalments: [{ noticeNumber: fee!.noticeNumber }] },
      ]);
      await expect
        .poll(() => payments.myNotificationTypes(), { timeout: 30_000 })
        .toContain('payment.position-created');

      // The payment provider records the receipt; the practice is registered.
      const recorded = await payments.recordReceipt({
        noticeNumber: fee!.noticeNumber!,
        amountCents: 3200,
      });
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data!.recordPaymentReceipt.positionStatus).toBe('PAID');

      await expect
        .poll(async () => (await practice(draft.id)).status, { timeout: 30_000 })
        .toBe('REGISTERED');
      const registered = await practice(draft.id);
      expect(registered.protocolNumber).toMatch(/^\d{4}\/\d{6}$/);
      expect(registered.fee).toMatchObject({ status: 'PAID', paidAt: expect.any(String) });
      expect(registered.timeline.map((entry) => entry.action)).toEqual([
        'create',
        'request-payment',
        'confirm-payment',
        'submit-after-payment',
        'register',
      ]);
    });
  },
);
