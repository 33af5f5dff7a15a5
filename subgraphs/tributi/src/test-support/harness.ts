import {
  createMemoryAuditSink,
  type DatabaseDriver,
  type EventBus,
  type MemoryAuditSink,
} from '@sportello/platform';
import {
  postGraphQL,
  serviceTestCoreConfig,
  startServiceTestKit,
  type GraphQLAnswer,
  type ServiceTestCoreOptions,
  type TestIssuer,
} from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import type { TributiConfig } from '../config.js';
import { DEFAULT_FINE_RULES } from '../domain/fines.js';
import { createTributi, type TributiDeps, type TributiHandle } from '../index.js';
import { COMUNE, CREDITOR, tributiTestDatabase } from './databases.js';

export { COMUNE, CREDITOR };
export const MARIO = 'RSSMRA80A01H501U';
export const CHIARA = 'CNTCHR83T41D969D';
export const CHILD = 'RCCMNL83S18D969H';

export type { GraphQLAnswer };

/** A running tributi service on loopback over a throw-away database, and helpers to call it. */
export interface TestTributi {
  url: string;
  tributi: TributiHandle;
  issuer: TestIssuer;
  audit: MemoryAuditSink;
  /** The service's bus: publish other services' events on it. */
  bus: EventBus;
  /** Every event published on the bus since start, in order. */
  events: EventEnvelope[];
  graphql(
    query: string,
    options?: { token?: string; variables?: Record<string, unknown> },
  ): Promise<GraphQLAnswer>;
  post(path: string, body: unknown, token?: string): Promise<Response>;
  /** Publishes the outbox and waits for it to reach the bus. */
  settle(): Promise<void>;
  tokens: {
    staff(offices?: ('tributi' | 'anagrafe' | 'admin')[]): Promise<string>;
    citizen(fiscalCode: string, actsFor?: string[]): Promise<string>;
    app(fiscalCode: string | null, scopes: ('tributi' | 'profile')[], clientId?: string): Promise<string>;
    service(service: string): Promise<string>;
  };
  close(): Promise<void>;
}

const CORE: ServiceTestCoreOptions = {
  comune: COMUNE,
  comuneName: 'Borgo Sereno',
  issuer: 'http://identity.test',
  database: { driver: 'sqlite', url: ':memory:' },
};

export function testConfig(overrides: Partial<TributiConfig> = {}): TributiConfig {
  return {
    ...serviceTestCoreConfig(CORE),
    creditors: [CREDITOR],
    paymentProviders: { services: ['pagopa'], clients: ['acme-pay'] },
    reminders: { enabled: false, hour: 8, offsetsDays: [7, 1] },
    fineRules: DEFAULT_FINE_RULES,
    bulkBatchSize: 500,
    ...overrides,
  };
}

export async function startTributi(
  driver: DatabaseDriver = 'sqlite',
  overrides: Partial<TributiConfig> = {},
  extra: Pick<TributiDeps, 'foreground'> = {},
): Promise<TestTributi> {
  const database = await tributiTestDatabase(driver);
  const kit = await startServiceTestKit({
    ...CORE,
    service: 'tributi',
    record: { subjects: ['sportello.>'], by: 'listener' },
  });
  const { issuer, bus, events, logger } = kit;
  const audit = createMemoryAuditSink();
  const tributi = await createTributi(testConfig(overrides), {
    bus,
    logger,
    jwks: issuer.jwks,
    audit,
    database: database.database,
    ...extra,
  });
  const url = await tributi.listen(0);
  let seq = 0;
  const tokenId = () => `t-${++seq}`;

  return {
    url,
    tributi,
    issuer,
    audit,
    bus,
    events,
    graphql(query, options = {}) {
      return postGraphQL(`${url}/graphql`, query, {
        variables: options.variables,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      });
    },
    post(path, body, token) {
      return fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    },
    async settle() {
      while ((await tributi.flushOutbox()) > 0) {
        // keep publishing until the outbox is empty
      }
    },
    tokens: {
      staff: (offices = ['tributi']) => issuer.sign(kit.principals.staff(offices)),
      citizen: (fiscalCode, actsFor = []) => issuer.sign(kit.principals.citizen(fiscalCode, actsFor)),
      app: (fiscalCode, scopes, clientId = 'civic-app') =>
        issuer.sign({
          kind: 'client',
          comune: COMUNE,
          clientId,
          scopes,
          ...(fiscalCode === null ? {} : { onBehalfOf: { fiscalCode, actsFor: [] } }),
          tokenId: tokenId(),
        }),
      service: (service) => issuer.sign(kit.principals.service(service)),
    },
    async close() {
      await tributi.close();
      await kit.close();
      await database.dispose();
    },
  };
}

/** Fields of a position most tests read. */
export const POSITION_FIELDS = `
  id kind year description payerFiscalCode creditorFiscalCode amountCents status externalRef
  instalments {
    number amountCents amountDueTodayCents dueDate noticeNumber status paidAt receiptId qrPayload
    notice { subject creditorName amount dueDate noticeCode qrPayload instalment instalmentCount reducedAmount reducedUntil }
  }
  fine { plate place article notifiedOn reducedAmountCents reducedUntil }
`;
