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

/** Email settings for an SMTP test peer on loopback (the comune's sender, no TLS). */
export function smtpPeerSettings(
  peer: { host: string; port: number },
  ratePerSecond = 100,
): NonNullable<NotifierConfig['smtp']> {
  return {
    host: peer.host,
    port: peer.port,
    secure: false,
    ignoreTls: true,
    from: '"Comune di Prova" <avvisi@comune.example.it>',
    ratePerSecond,
  };
}

/** Telegram settings for a Bot API test peer on loopback, at the Bot API's own limits by default. */
export function telegramPeerSettings(
  apiRoot: string,
  token: string,
  options: { publicChannel?: string | null; ratePerSecond?: number } = {},
): NonNullable<NotifierConfig['telegram']> {
  return {
    token,
    apiRoot,
    webhookSecret: 'webhook-secret',
    webhookUrl: null,
    publicChannel: options.publicChannel ?? null,
    ratePerSecond: options.ratePerSecond ?? 30,
    ratePerChatPerSecond: 1,
  };
}
