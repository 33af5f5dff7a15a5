import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  createInProcessBus,
  createLogger,
  type DatabaseDriver,
  type EventBus,
} from '@sportello/platform';
import { createTestIssuer, type TestIssuer } from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import type { CivilProtectionConfig } from '../config.js';
import { createCivilProtection, seedCivilProtection, type CivilProtection } from '../index.js';

/** The local PostgreSQL server the tests use. */
export const TEST_POSTGRES_URL =
  process.env['SPORTELLO_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432';

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
  const issuer = await createTestIssuer({ issuer: 'http://issuer.test', audience: 'sportello' });
  const dir = await mkdtemp(join(tmpdir(), 'sportello-cp-'));
  const postgresDatabase = `sportello_test_civil_protection_${randomBytes(5).toString('hex')}`;
  const config: CivilProtectionConfig = {
    mode: 'demo',
    port: 0,
    logLevel: 'silent',
    defaultComune: COMUNE,
    comuneNames: { [COMUNE]: 'Borgo Demo' },
    database:
      driver === 'sqlite'
        ? { driver, url: join(dir, 'civil-protection.db') }
        : { driver, url: TEST_POSTGRES_URL, postgresDatabase },
    tokenIssuer: issuer.issuer,
    tokenAudience: issuer.audience,
    jwksUrl: new URL('http://issuer.test/.well-known/jwks.json'),
    publicUrl: 'https://servizi.comune.example',
    internalSecret: options.internalSecret ?? null,
    capSenderDomain: 'borgo-demo.example',
    bus: { kind: 'inprocess', natsServers: [] },
  };
  const logger = createLogger({ name: 'civil-protection-test', level: 'silent' });
  const bus = createInProcessBus();
  const events: EventEnvelope[] = [];
  await bus.consume(
    { name: `cp-test-${randomBytes(4).toString('hex')}`, subjects: ['sportello.*.civil-protection.>'] },
    async (event) => {
      events.push(event);
    },
  );
  const service = await createCivilProtection(config, { bus, logger, jwks: issuer.jwks });
  const url = await service.listen(0);
  await seedCivilProtection(service.database.fork({ comune: COMUNE }), {
    comune: COMUNE,
    comuneName: 'Borgo Demo',
    zones: ZONES,
    centre: CENTRE,
  });

  const graphql: Harness['graphql'] = async (query, variables = {}, bearer, comune) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer === undefined ? {} : { authorization: bearer }),
        ...(comune === undefined ? {} : { 'x-comune': comune }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };

  return {
    url,
    issuer,
    bus,
    service,
    events,
    graphql,
    staffBearer: (offices = ['civil-protection'], comune = COMUNE) =>
      issuer.bearer({
        kind: 'staff',
        comune,
        username: `operatore.${offices.join('-')}`,
        offices,
        tokenId: randomBytes(6).toString('hex'),
      }),
    citizenBearer: () =>
      issuer.bearer({
        kind: 'citizen',
        comune: COMUNE,
        fiscalCode: 'RSSMRA80A01H501U',
        actsFor: [],
        tokenId: 't-citizen',
      }),
    async close() {
      await service.close();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
      if (driver === 'postgresql') {
        // Through the management database; `force` ends any session left open.
        const admin = await createDatabase({
          service: 'civil-protection',
          driver: 'postgresql',
          postgresUrl: TEST_POSTGRES_URL,
          postgresDatabase: 'postgres',
          entities: [],
          migrations: { sqlite: [], postgresql: [] },
        });
        await admin
          .forkUnscoped()
          .getConnection()
          .execute(`drop database if exists "${postgresDatabase}" with (force)`);
        await admin.close();
      }
    },
  };
}
