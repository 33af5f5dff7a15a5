import { randomBytes } from 'node:crypto';
import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { afterAll, beforeAll, expect } from 'vitest';
import { devToken, graphql, type GraphQLResponse } from './graphql-client.js';
import { randomComune, startHub, type RunningHub } from './running-hub.js';

/** A hub with a citizen who pays through pagoPA, and the payment provider that confirms the payments. */
export interface PayingCitizenHub {
  hub: RunningHub;
  /** A household head with an email, as the demo population has them. */
  payer: DemoPerson;
  /** The payer's token. */
  citizen: string;
  /** The payment provider's token (its own service credentials). */
  provider: string;
}

/** The calls a paying citizen's app and the payment provider make through the gateway. */
export interface CitizenPayments {
  /** Asks `query` as the citizen, expects an answer without errors, and returns its data. */
  asCitizen<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The citizen's payment positions (the latest 50) with `externalRef` as their reference. */
  myPositionsFor(externalRef: string): Promise<MyPosition[]>;
  /** The event types of the citizen's latest 50 notifications. */
  myNotificationTypes(): Promise<string[]>;
  /** The provider records its receipt of `amountCents` for a notice, under a fresh receipt id. */
  recordReceipt(payment: {
    noticeNumber: string;
    amountCents: number;
  }): Promise<GraphQLResponse<{ recordPaymentReceipt: { positionStatus: string } }>>;
}

/**
 * Starts a hub of `households` in `mode` (the demo comune embedded, a random one distributed), signs
 * in its first household head with an email, and takes the payment provider's token.
 */
async function startPayingCitizenHub(
  mode: RunningHub['mode'],
  households: number,
): Promise<PayingCitizenHub> {
  const comune = mode === 'embedded' ? '999001' : randomComune();
  const people = generatePopulation({ households, istat: comune }).people;
  const payer = people.find((p) => p.relationship === 'head' && p.email !== undefined)!;
  const hub = await startHub(mode, { households, comune });
  const citizen = (await devToken(hub.identity, { subject: payer.fiscalCode })).access_token;
  return { hub, payer, citizen, provider: await paymentProviderToken(hub.identity) };
}

/**
 * Called in a `describe`: starts a {@link PayingCitizenHub} before its tests and stops it after them.
 * The returned calls work once it has started; `started()` gives the hub, the payer and the tokens.
 */
export function payingCitizenHubPerSuite(
  mode: RunningHub['mode'],
  households: number,
): CitizenPayments & { started(): PayingCitizenHub } {
  let running: PayingCitizenHub | undefined;
  beforeAll(async () => {
    running = await startPayingCitizenHub(mode, households);
  }, 330_000);
  afterAll(async () => {
    await running?.hub.stop();
  }, 90_000);
  const started = () => {
    if (running === undefined) throw new Error('the paying citizen hub has not started');
    return running;
  };
  return {
    started,
    asCitizen: (query, variables) => ask(started().hub.api, started().citizen, query, variables),
    myPositionsFor: (externalRef) => myPositionsFor(started().hub.api, started().citizen, externalRef),
    myNotificationTypes: () => myNotificationTypes(started().hub.api, started().citizen),
    recordReceipt: (payment) => recordReceipt(started().hub.api, started().provider, payment),
  };
}

/** The token the payment provider confirms payments with: its own service credentials. */
export async function paymentProviderToken(identityUrl: string): Promise<string> {
  const response = await fetch(`${identityUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'sportello-pagopa',
      client_secret: 'demo-pagopa-secret',
    }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Asks the gateway `query` with `token`, expects an answer without errors, and returns its data. */
async function ask<T>(
  api: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const answer = await graphql<T>(api, query, { token, variables });
  expect(answer.errors).toBeUndefined();
  return answer.data!;
}

/** A payment position as the citizen's payments list shows it. */
export interface MyPosition {
  externalRef: string | null;
  amountCents: number;
  instalments: Array<{ noticeNumber: string }>;
}

/** The citizen's payment positions (the latest 50) with `externalRef` as their reference. */
async function myPositionsFor(api: string, citizen: string, externalRef: string): Promise<MyPosition[]> {
  const mine = await ask<{ me: { paymentPositions: { nodes: MyPosition[] } } }>(
    api,
    citizen,
    '{ me { paymentPositions(first: 50) { nodes { externalRef amountCents instalments { noticeNumber } } } } }',
  );
  return mine.me.paymentPositions.nodes.filter((p) => p.externalRef === externalRef);
}

/** The event types of the citizen's latest 50 notifications. */
async function myNotificationTypes(api: string, citizen: string): Promise<string[]> {
  const mine = await ask<{ me: { notifications: { nodes: Array<{ eventType: string }> } } }>(
    api,
    citizen,
    '{ me { notifications(first: 50) { nodes { eventType } } } }',
  );
  return mine.me.notifications.nodes.map((n) => n.eventType);
}

/** The payment provider records its receipt of `amountCents` for a notice, under a fresh receipt id. */
function recordReceipt(
  api: string,
  provider: string,
  payment: { noticeNumber: string; amountCents: number },
): Promise<GraphQLResponse<{ recordPaymentReceipt: { positionStatus: string } }>> {
  return graphql<{ recordPaymentReceipt: { positionStatus: string } }>(
    api,
    'mutation Pay($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }',
    {
      token: provider,
      variables: {
        input: {
          ...payment,
          paidAt: new Date().toISOString(),
          receiptId: `PSP-${randomBytes(6).toString('hex')}`,
        },
      },
    },
  );
}
