import { addDays, civilDate, type DatabaseDriver } from '@sportello/platform';
import type { EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, expect } from 'vitest';
import { MARIO, POSITION_FIELDS, startTributi, type GraphQLAnswer, type TestTributi } from './harness.js';

const SEARCH = `query ($filter: PaymentSearchInput) { paymentPositions(filter: $filter) { totalCount nodes { ${POSITION_FIELDS} } } }`;
const RECORD = `mutation ($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }`;

/** A payment position as staff find it. */
export interface FoundPosition {
  id: string;
  kind: string;
  amountCents: number;
  externalRef: string | null;
  description: string;
  instalments: Array<{ noticeNumber: string; amountCents: number }>;
}

/** A running tributi service with what the tests of fees requested on the bus ask of it. */
export interface FeeTestTributi extends TestTributi {
  /** Mario's positions with `externalRef` as their reference, as staff search them. */
  positionsFor(externalRef: string): Promise<FoundPosition[]>;
  /** The events of `type` published on the bus whose data names `externalRef`. */
  eventsAbout(type: string, externalRef: string): EventEnvelope[];
  /** pagoPA records its receipt, paid now, of `amountCents` for a notice. */
  recordReceipt(receipt: {
    noticeNumber: string;
    amountCents: number;
    receiptId: string;
  }): Promise<GraphQLAnswer>;
}

/** The fields of a fee request (`*.payment-requested`) Mario owes: `amountCents`, due in 30 days. */
export function feeDue(externalRef: string, amountCents: number, description: string) {
  return { externalRef, amountCents, dueDate: addDays(civilDate(new Date()), 30), description };
}

/**
 * Called in a `describe`: starts tributi on `driver` before its tests and closes it after them. The
 * returned object stands for the running service (its other members are the started service's).
 */
export function tributiForFeeTests(driver: DatabaseDriver): FeeTestTributi {
  let running: { t: TestTributi; staff: string; pagopa: string } | undefined;
  beforeAll(async () => {
    const t = await startTributi(driver);
    running = { t, staff: await t.tokens.staff(), pagopa: await t.tokens.service('pagopa') };
  });
  afterAll(async () => {
    await running?.t.close();
  });
  const started = () => {
    if (running === undefined) throw new Error('tributi has not started');
    return running;
  };
  const calls: Pick<FeeTestTributi, 'positionsFor' | 'eventsAbout' | 'recordReceipt'> = {
    async positionsFor(externalRef) {
      const answer = await started().t.graphql(SEARCH, {
        token: started().staff,
        variables: { filter: { payerFiscalCode: MARIO } },
      });
      expect(answer.errors).toBeUndefined();
      const found = answer.data?.['paymentPositions'] as { nodes: FoundPosition[] };
      return found.nodes.filter((position) => position.externalRef === externalRef);
    },
    eventsAbout: (type, externalRef) =>
      started().t.events.filter(
        (event) =>
          event.type === type && (event.data as { externalRef?: string | null }).externalRef === externalRef,
      ),
    recordReceipt: (receipt) =>
      started().t.graphql(RECORD, {
        token: started().pagopa,
        variables: { input: { ...receipt, paidAt: new Date().toISOString() } },
      }),
  };
  return new Proxy(calls as FeeTestTributi, {
    get: (target, key) => (key in target ? Reflect.get(target, key) : Reflect.get(started().t, key)),
  });
}
