import { randomBytes } from 'node:crypto';
import { generatePopulation } from '@sportello/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

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
    let hub: RunningHub;
    let citizen: string;
    let citizenFiscalCode: string;
    let provider: string;

    beforeAll(async () => {
      const comune = mode === 'embedded' ? '999001' : randomComune();
      const people = generatePopulation({ households: HOUSEHOLDS, istat: comune }).people;
      const applicant = people.find((p) => p.relationship === 'head' && p.email !== undefined)!;
      citizenFiscalCode = applicant.fiscalCode;
      hub = await startHub(mode, { households: HOUSEHOLDS, comune });
      citizen = (await devToken(hub.identity, { subject: citizenFiscalCode })).access_token;
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
    const practice = async (id: string) =>
      (await asCitizen<{ practice: FeeView }>(`query($id: ID!) { practice(id: $id) { ${FIELDS} } }`, { id }))
        .practice;

    it('asks for the fee on submission, shows the notice, tells the citizen and registers the practice once paid', async () => {
      const draft = (
        await asCitizen<{ createPracticeDraft: FeeView }>(
          `mutation($data: JSONObject) { createPracticeDraft(input: { typeCode: "public-land-occupation", data: $data }) { ${FIELDS} } }`,
          {
            data: {
              location: { street: 'Via Roma', number: '3', postcode: '12042' },
              purpose: 'dehors',
              areaSqm: 12,
              from: inDays(40),
              to: inDays(70),
            },
          },
        )
      ).createPracticeDraft;
      expect(draft.fee).toMatchObject({ amountCents: 3200, status: 'NOT_REQUESTED' });

      const submitted = (
        await asCitizen<{ submitPractice: FeeView }>(
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
      expect(mine.me.paymentPositions.nodes.filter((p) => p.externalRef === draft.id)).toEqual([
        { externalRef: draft.id, amountCents: 3200, instalments: [{ noticeNumber: fee!.noticeNumber }] },
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

      // The payment provider records the receipt; the practice is registered.
      const recorded = await graphql<{ recordPaymentReceipt: { positionStatus: string } }>(
        hub.api,
        'mutation Pay($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }',
        {
          token: provider,
          variables: {
            input: {
              noticeNumber: fee!.noticeNumber,
              amountCents: 3200,
              paidAt: new Date().toISOString(),
              receiptId: `PSP-${randomBytes(6).toString('hex')}`,
            },
          },
        },
      );
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
