import { randomBytes } from 'node:crypto';
import {
  createInProcessBus,
  createLogger,
  type DatabaseDriver,
  type EventBus,
  type Logger,
  type Office,
  type ServiceCoreConfig,
  type TokenPrincipal,
} from '@sportello/platform';
import type { EventEnvelope } from '@sportello/schema';
import { createTestIssuer, type TestIssuer } from '../auth/test-issuer.js';
import { scratchServiceDatabase } from '../database/service-database.js';

/** Where the tested service is reached from: every harness serves it behind this public origin. */
export const TEST_PUBLIC_URL = 'https://servizi.comune.example';

/** What {@link serviceTestCoreConfig} builds on. */
export interface ServiceTestCoreOptions {
  comune: string;
  comuneName: string;
  /** `iss` of the tokens the service trusts; its JWKS is named under it (the keys are handed over directly). */
  issuer: string;
  /** @default 'sportello' */
  audience?: string;
  database: ServiceCoreConfig['database'];
}

/**
 * The core configuration of a service under test: a demo on port 0, silent, for one comune, over
 * an in-process bus, trusting tokens of `issuer`, open to anyone (no internal secret).
 */
export function serviceTestCoreConfig(options: ServiceTestCoreOptions): ServiceCoreConfig {
  return {
    mode: 'demo',
    port: 0,
    logLevel: 'silent',
    defaultComune: options.comune,
    comuneNames: { [options.comune]: options.comuneName },
    database: options.database,
    tokenIssuer: options.issuer,
    tokenAudience: options.audience ?? 'sportello',
    jwksUrl: new URL(`${options.issuer}/.well-known/jwks.json`),
    publicUrl: TEST_PUBLIC_URL,
    internalSecret: null,
    bus: { kind: 'inprocess', natsServers: [] },
  };
}

/** Options of {@link startServiceTestKit}. */
export interface ServiceTestKitOptions extends Omit<ServiceTestCoreOptions, 'database'> {
  /** Names the logger, the scratch database and the recording consumer. */
  service: string;
  /**
   * A driver: a scratch database the service creates and migrates when it starts (dropped on
   * `close`); or the database configuration itself (its owner disposes of it).
   */
  database: DatabaseDriver | ServiceCoreConfig['database'];
  /**
   * The events recorded in `events`: by a consumer of `subjects` (an in-process publish resolves
   * once it has recorded the event), or by a listener (it hears events as soon as they are announced).
   */
  record: { subjects: string[]; by?: 'consumer' | 'listener' };
}

/** What a subgraph harness starts around the service it tests. */
export interface ServiceTestKit {
  issuer: TestIssuer;
  logger: Logger;
  bus: EventBus;
  /** The events recorded on the bus, in order. */
  events: EventEnvelope[];
  /** The service's core configuration (see {@link serviceTestCoreConfig}). */
  core: ServiceCoreConfig;
  /** Principals of the kit's comune, each with a fresh token id. */
  principals: {
    citizen(fiscalCode: string, actsFor?: string[]): TokenPrincipal;
    staff(offices: Office[], username?: string): TokenPrincipal;
    service(service: string): TokenPrincipal;
  };
  /** Closes the bus and drops the scratch database (close the service first). */
  close(): Promise<void>;
}

/**
 * Starts what every subgraph harness needs before its service: a test token issuer, a silent
 * logger, an in-process bus recording the service's events, the database and the core configuration.
 */
export async function startServiceTestKit(options: ServiceTestKitOptions): Promise<ServiceTestKit> {
  const { service, comune } = options;
  const scratch =
    typeof options.database === 'string'
      ? await scratchServiceDatabase(service, options.database)
      : undefined;
  const issuer = await createTestIssuer({
    issuer: options.issuer,
    audience: options.audience ?? 'sportello',
  });
  const logger = createLogger({ name: `${service}-test`, level: 'silent' });
  const bus = createInProcessBus();
  const events: EventEnvelope[] = [];
  const { subjects, by = 'consumer' } = options.record;
  if (by === 'listener') await bus.listen(subjects, (event) => void events.push(event));
  else
    await bus.consume(
      { name: `${service}-test-${randomBytes(4).toString('hex')}`, subjects },
      async (event) => {
        events.push(event);
      },
    );
  const tokenId = () => randomBytes(6).toString('hex');
  return {
    issuer,
    logger,
    bus,
    events,
    core: serviceTestCoreConfig({
      ...options,
      database: scratch?.config ?? (options.database as ServiceCoreConfig['database']),
    }),
    principals: {
      citizen: (fiscalCode, actsFor = []) => ({
        kind: 'citizen',
        comune,
        fiscalCode,
        actsFor,
        tokenId: tokenId(),
      }),
      staff: (offices, username = `staff.${offices.join('-')}`) => ({
        kind: 'staff',
        comune,
        username,
        offices,
        tokenId: tokenId(),
      }),
      service: (name) => ({ kind: 'service', comune, service: name, tokenId: tokenId() }),
    },
    async close() {
      await bus.close();
      await scratch?.dispose();
    },
  };
}
