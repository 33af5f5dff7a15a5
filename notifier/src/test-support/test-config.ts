import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifierConfig } from '../config.js';

export const TEST_COMUNE = '001272';

/** A notifier config for tests; channels are usually passed as deps. */
export function testConfig(overrides: Partial<NotifierConfig> = {}): NotifierConfig {
  return {
    mode: 'demo',
    port: 0,
    logLevel: 'silent',
    defaultComune: TEST_COMUNE,
    comuneNames: { [TEST_COMUNE]: 'Prova' },
    database: { driver: 'sqlite', url: ':memory:' },
    bus: { kind: 'inprocess', natsServers: [] },
    consumerName: 'notifier',
    consumer: { ackWaitMs: 10_000, concurrency: 4, bulkConcurrency: 2 },
    tokenIssuer: 'http://identity.test',
    tokenAudience: 'sportello',
    publicUrl: 'https://servizi.comune.example',
    internalSecret: null,
    jwksUrl: new URL('http://identity.test/.well-known/jwks.json'),
    identityUrl: 'http://127.0.0.1:1',
    anagrafeUrl: 'http://127.0.0.1:1',
    clientSecret: 'notifier-secret-for-tests',
    portalUrl: 'https://servizi.comune.example/portale',
    preferencesUrl: 'https://servizi.comune.example/portale/preferenze',
    smtp: null,
    telegram: null,
    io: null,
    sandboxDir: join(tmpdir(), 'notifier-sandbox'),
    dispatch: {
      batchSize: 200,
      concurrency: 16,
      leaseMs: 60_000,
      maxAttempts: 5,
      retryBaseMs: 50,
      retryMaxMs: 500,
      pollIntervalMs: 100,
      recoverIntervalMs: 1000,
    },
    statsThrottleMs: 100,
    ...overrides,
  };
}
