import { describe, expect, it } from 'vitest';
import { graphql } from './support/graphql-client.js';
import { payingCitizenHubPerSuite } from './support/payments.js';

/**
 * A citizen requests a certificate that owes stamp duty, through the gateway as an app would: the
 * request waits, tributi makes the 16 EUR pagoPA notice, the citizen is told of it and sees it on
 * the request, the payment provider's receipt issues the certificate, and the citizen downloads it.
 */

const HOUSEHOLDS = 20;

interface RequestView {
  id: string;
  status: string;
  stampDutyAmountCents: number | null;
  noticeNumber: string | null;
  paidAt: string | null;
  certificate: {
    id: string;
    stampDuty: string;
    stampDutyText: string;
    verificationCode: string;
    downloadUrl: string;
  } | null;
}

const FIELDS =
  'id status stampDutyAmountCents noticeNumber paidAt certificate { id stampDuty stampDutyText verificationCode downloadUrl }';

describe.each(['embedded', 'distributed'] as const)(
  'a certificate whose stamp duty is paid through pagoPA (%s mode)',
  (mode) => {
    const payments = payingCitizenHubPerSuite(mode, HOUSEHOLDS);

    const request = async (id: string) =>
      (
        await payments.asCitizen<{ myCertificateRequests: { nodes: RequestView[] } }>(
          `{ myCertificateRequests(first: 100) { nodes { ${FIELDS} } } }`,
        )
      ).myCertificateRequests.nodes.find((row) => row.id === id);

    it('waits for the stamp duty, shows and notifies its notice, and issues the certificate once paid', async () => {
      const asked = (
        await payments.asCitizen<{ requestCertificate: RequestView }>(
          `mutation { requestCertificate(input: { kinds: [RESIDENCE], use: "uso privato" }) { ${FIELDS} } }`,
        )
      ).requestCertificate;
      expect(asked).toMatchObject({
        status: 'AWAITING_PAYMENT',
        stampDutyAmountCents: 1600,
        certificate: null,
      });

      // Tributi makes the notice; the request shows it and the citizen is told of it.
      await expect
        .poll(async () => (await request(asked.id))?.noticeNumber, { timeout: 30_000 })
        .toMatch(/^\d{18}$/);
      const { noticeNumber } = (await request(asked.id))!;
      expect(await payments.myPositionsFor(asked.id)).toEqual([
        { externalRef: asked.id, amountCents: 1600, instalments: [{ noticeNumber }] },
      ]);
      await expect
        .poll(() => payments.myNotificationTypes(), { timeout: 30_000 })
        .toContain('payment.position-created');
      expect((await request(asked.id))?.certificate).toBeNull();

      // The payment provider records the receipt; the certificate is issued.
      const recorded = await payments.recordReceipt({
        noticeNumber: noticeNumber!,
        amountCents: 1600,
      });
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data!.recordPaymentReceipt.positionStatus).toBe('PAID');

      await expect.poll(async () => (await request(asked.id))?.status, { timeout: 30_000 }).toBe('ISSUED');
      const issued = (await request(asked.id))!;
      expect(issued.paidAt).toEqual(expect.any(String));
      expect(issued.certificate).toMatchObject({ stampDuty: 'PAID' });
      expect(issued.certificate!.stampDutyText).toContain(`avviso n. ${noticeNumber}`);

      // The citizen is told the certificate is ready (in their language), with its download link.
      await expect
        .poll(
          async () =>
            (
              await payments.asCitizen<{
                me: { notifications: { nodes: Array<{ eventType: string; subject: string }> } };
              }>('{ me { notifications(first: 50) { nodes { eventType subject } } } }')
            ).me.notifications.nodes.filter((n) => n.eventType === 'certificate.issued'),
          { timeout: 30_000 },
        )
        .toEqual([
          {
            eventType: 'certificate.issued',
            subject: expect.stringMatching(
              /^(Il tuo certificato è pronto|Your certificate is ready|Ihre Bescheinigung ist fertig)$/,
            ),
          },
        ]);

      const pdf = await fetch(issued.certificate!.downloadUrl, {
        headers: { authorization: `Bearer ${payments.started().citizen}` },
      });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toContain('application/pdf');
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      const verified = await graphql<{ verifyCertificate: { valid: boolean } | null }>(
        payments.started().hub.api,
        `{ verifyCertificate(code: "${issued.certificate!.verificationCode}") { valid } }`,
      );
      expect(verified.data?.verifyCertificate).toEqual({ valid: true });
    });
  },
);
