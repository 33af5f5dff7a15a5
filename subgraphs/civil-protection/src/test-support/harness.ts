import { afterAll, beforeAll } from 'vitest';
import type { DatabaseDriver, EventBus } from '@sportello/platform';
import { postGraphQL, startServiceTestKit, type TestIssuer } from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import type { CivilProtectionConfig } from '../config.js';
import { createCivilProtection, seedCivilProtection, type CivilProtection } from '../index.js';

export const COMUNE = '099001';
export const OTHER_COMUNE = '099002';
export const CENTRE = { latitude: 45.07, longitude: 7.68 };
export const ZONES = [
  { code: 'Z1', name: 'Centro storico', regionalAlertZone: 'Piem-L' },
  { code: 'Z2', name: 'Borgo Fiume', regionalAlertZone: 'Piem-L' },
  { code: 'Z3', name: 'Collina', regionalAlertZone: 'Piem-I' },
];

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

/** A civil-protection service on loopback with a seeded comune, a test token issuer and a bus. */
export interface Harness {
  url: string;
  issuer: TestIssuer;
  bus: EventBus;
  service: CivilProtection;
  /** Events the service published on the bus, in order. */
  events: EventEnvelope[];
  /** A GraphQL call, anonymous unless a bearer is given. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    bearer?: string,
    comune?: string,
  ): Promise<GraphQLResponse<T>>;
  staffBearer(offices?: Array<'civil-protection' | 'anagrafe' | 'admin'>, comune?: string): Promise<string>;
  citizenBearer(): Promise<string>;
  close(): Promise<void>;
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /** Behind the trust boundary: requests without an assertion signed with it are refused. @default none */
  internalSecret?: string;
}

export async function startHarness(driver: DatabaseDriver, options: HarnessOptions = {}): Promise<Harness> {
  const kit = await startServiceTestKit({
    service: 'civil-protection',
    comune: COMUNE,
    comuneName: 'Borgo Demo',
    issuer: 'http://issuer.test',
    database: driver,
    record: { subjects: ['sportello.*.civil-protection.>'] },
  });
  const { issuer, bus, events, logger } = kit;
  const config: CivilProtectionConfig = {
    ...kit.core,
    internalSecret: options.internalSecret ?? null,
    capSenderDomain: 'borgo-demo.example',
  };
  const service = await createCivilProtection(config, { bus, logger, jwks: issuer.jwks });
  const url = await service.listen(0);
  await seedCivilProtection(service.database.fork({ comune: COMUNE }), {
    comune: COMUNE,
    comuneName: 'Borgo Demo',
    zones: ZONES,
    centre: CENTRE,
  });

  const graphql: Harness['graphql'] = async (query, variables = {}, bearer, comune) =>
    (await postGraphQL(`${url}/graphql`, query, {
      variables,
      authorization: bearer,
      headers: comune === undefined ? {} : { 'x-comune': comune },
    })) as GraphQLResponse<never>;

  return {
    url,
    issuer,
    bus,
    service,
    events,
    graphql,
    staffBearer: (offices = ['civil-protection'], comune = COMUNE) =>
      issuer.bearer({ ...kit.principals.staff(offices, `operatore.${offices.join('-')}`), comune }),
    citizenBearer: () =>
      issuer.bearer({ ...kit.principals.citizen('RSSMRA80A01H501U'), tokenId: 't-citizen' }),
    async close() {
      await service.close();
      await kit.close();
    },
  };
}

/**
 * Called in a `describe`: starts a harness on `driver` before its tests, hands it and a
 * civil-protection staff bearer to `use`, and closes it after the tests.
 */
export function harnessForSuite(driver: DatabaseDriver, use: (h: Harness, staff: string) => void): void {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(driver);
    use(started, await started.staffBearer());
  });
  afterAll(async () => {
    await started?.close();
  });
}
