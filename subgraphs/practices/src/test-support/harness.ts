import {
  createMemoryAuditSink,
  type DatabaseDriver,
  type EventBus,
  type MemoryAuditSink,
  type Office,
} from '@sportello/platform';
import { postGraphQL, startServiceTestKit, type TestIssuer } from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import type { PracticesConfig } from '../config.js';
import { createPractices, seedPractices, type Practices } from '../index.js';

export const COMUNE = '099001';
export const MARIO = 'RSSMRA80A01H501U';
export const CHIARA = 'CNTCHR83T41D969D';
/** A minor child Mario acts for. */
export const CHILD = 'RCCMNL83S18D969H';

export interface GraphQLAnswer<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A practices service on loopback with the demo catalogue, a test token issuer and a bus. */
export interface Harness {
  url: string;
  issuer: TestIssuer;
  bus: EventBus;
  service: Practices;
  audit: MemoryAuditSink;
  /** Events the service published on the bus, in order. */
  events: EventEnvelope[];
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    bearer?: string,
  ): Promise<GraphQLAnswer<T>>;
  citizen(fiscalCode?: string, actsFor?: string[]): Promise<string>;
  staff(offices?: Office[], username?: string): Promise<string>;
  /** Publishes the outbox and resolves once the events have reached the test consumer. */
  drainEvents(): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

export async function startHarness(
  driver: DatabaseDriver,
  overrides: Partial<PracticesConfig> = {},
): Promise<Harness> {
  const kit = await startServiceTestKit({
    service: 'practices',
    comune: COMUNE,
    comuneName: 'Borgo Sereno',
    issuer: 'http://issuer.test',
    database: driver,
    record: { subjects: ['sportello.*.practices.>'] },
  });
  const { issuer, bus, events, logger } = kit;
  const config: PracticesConfig = {
    ...kit.core,
    attachmentMaxBytes: 256 * 1024,
    timeZone: 'Europe/Rome',
    reminderIntervalMs: 0,
    ...overrides,
  };
  const audit = createMemoryAuditSink();
  const service = await createPractices(config, { bus, logger, jwks: issuer.jwks, audit });
  const url = await service.listen(0);
  await seedPractices(service.database, {
    comune: { istat: COMUNE, name: 'Borgo Demo', centre: { lat: 45.07, lon: 7.68 } },
    people: [],
  });

  const graphql: Harness['graphql'] = (query, variables = {}, bearer) =>
    postGraphQL<never>(`${url}/graphql`, query, { variables, authorization: bearer });

  return {
    url,
    issuer,
    bus,
    service,
    audit,
    events,
    graphql,
    citizen: (fiscalCode = MARIO, actsFor = fiscalCode === MARIO ? [CHILD] : []) =>
      issuer.bearer(kit.principals.citizen(fiscalCode, actsFor)),
    staff: (offices = ['anagrafe'], username = `operatore.${offices.join('-')}`) =>
      issuer.bearer(kit.principals.staff(offices, username)),
    async drainEvents() {
      // Resolves once every event committed so far is published, and the in-process bus resolves a
      // publish once its consumers (the test's among them) have handled the event.
      await service.flushOutbox();
      return events;
    },
    async close() {
      await service.close();
      await kit.close();
    },
  };
}
