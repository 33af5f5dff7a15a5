import { randomBytes } from 'node:crypto';
import { generatePopulation } from '@sportello/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

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
    let hub: RunningHub;
    let citizen: string;
    let provider: string;

    beforeAll(async () => {
      const comune = mode === 'embedded' ? '999001' : randomComune();
      const people = generatePopulation({ households: HOUSEHOLDS, istat: comune }).people;
      const requester = people.find((p) => p.relationship === 'head' && p.email !== undefined)!;
      hub = await startHub(mode, { households: HOUSEHOLDS, comune });
      citizen = (await devToken(hub.identity, { subject: requester.fiscalCode })).access_token;
      // The payment provider confirms payments with its own service credentials.
      const response = await fetch(`${hub.identity}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'sportello-pagopa',
          client_secret: 'demo-pagopa-secret',
        }).toString(),
      });
      expect(response.status).toBe(200);
      provider = ((await response.json()) as { access_token: string }).access_token;
    }, 330_000);

    afterAll(async () => {
      await hub?.stop();
    }, 90_000);

    const asCitizen = async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const answer = await graphql<T>(hub.api, query, { token: citizen, variables });
      expect(answer.errors).toBeUndefined();
      return answer.data!;
    };
    const request = async (id: string) =>
      (
        await asCitizen<{ myCertificateRequests: { nodes: RequestView[] } }>(
          `{ myCertificateRequests(first: 100) { nodes { ${FIELDS} } } }`,
        )
      ).myCertificateRequests.nodes.find((row) => row.id === id);

    it('waits for the stamp duty, shows and notifies its notice, and issues the certificate once paid', async () => {
      const asked = (
        await asCitizen<{ requestCertificate: RequestView }>(
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
      const mine = await asCitizen<{
        me: {
          paymentPositions: {
            nodes: Array<{
              externalRef: string | null;
              amountCents: number;
              instalments: Array<{ noticeNumber: string }>;
            }>;
          };
        };
      }>(
        '{ me { paymentPositions(first: 50) { nodes { externalRef amountCents instalments { noticeNumber } } } } }',
      );
      expect(mine.me.paymentPositions.nodes.filter((p) => p.externalRef === asked.id)).toEqual([
        { externalRef: asked.id, amountCents: 1600, instalments: [{ noticeNumber }] },
      ]);
      await expect
        .poll(
          async () =>
            (
              await asCitizen<{ me: { notifications: { nodes: Array<{ eventType: string }> } } }>(
                '{ me { notifications(first: 50) { nodes { eventType } } } }',
              )
            ).me.notifications.nodes.map((n) => n.eventType),
          { timeout: 30_000 },
        )
        .toContain('payment.position-created');
      expect((await request(asked.id))?.certificate).toBeNull();

      // The payment provider records the receipt; the certificate is issued.
      const recorded = await graphql<{ recordPaymentReceipt: { positionStatus: string } }>(
        hub.api,
        'mutation Pay($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }',
        {
          token: provider,
          variables: {
            input: {
              noticeNumber,
              amountCents: 1600,
              paidAt: new Date().toISOString(),
              receiptId: `PSP-${randomBytes(6).toString('hex')}`,
            },
          },
        },
      );
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
              await asCitizen<{
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
        headers: { authorization: `Bearer ${citizen}` },
      });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toContain('application/pdf');
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      const verified = await graphql<{ verifyCertificate: { valid: boolean } | null }>(
        hub.api,
        `{ verifyCertificate(code: "${issued.certificate!.verificationCode}") { valid } }`,
      );
      expect(verified.data?.verifyCertificate).toEqual({ valid: true });
    });
  },
);
