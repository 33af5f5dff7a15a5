import { ConfigError } from '@sportello/platform';
import { describe, expect, it } from 'vitest';
import { loadNotifierConfig, NOTIFIER_ENV_VARIABLES } from './config.js';

describe('notifier configuration', () => {
  it('looks for work it was not told of every 20 seconds unless told otherwise', () => {
    expect(loadNotifierConfig({}).dispatch.safetyPollMs).toBe(20_000);
  });

  it('reads the safety poll from NOTIFIER_SAFETY_POLL_SECONDS, which the hub hands it', () => {
    expect(loadNotifierConfig({ NOTIFIER_SAFETY_POLL_SECONDS: '5' }).dispatch.safetyPollMs).toBe(5_000);
    expect(NOTIFIER_ENV_VARIABLES).toContain('NOTIFIER_SAFETY_POLL_SECONDS');
  });

  it.each(['soon', '0', '3601', '2.5'])('stops on NOTIFIER_SAFETY_POLL_SECONDS=%s, naming it', (value) => {
    const attempt = () => loadNotifierConfig({ NOTIFIER_SAFETY_POLL_SECONDS: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      `Invalid configuration for notifier: NOTIFIER_SAFETY_POLL_SECONDS: expected an integer between 1 and 3600, got "${value}"`,
    );
  });

  it('keeps the defaults and checks of the other variables', () => {
    const config = loadNotifierConfig({});
    expect(config).toMatchObject({
      port: 4006,
      consumerName: 'notifier',
      consumer: { ackWaitMs: 10_000, concurrency: 4, bulkConcurrency: 2 },
      smtp: null,
      telegram: null,
      io: null,
      portalUrl: 'http://localhost:4000/portale',
      dispatch: { batchSize: 200, concurrency: 16, leaseMs: 10_000, maxAttempts: 8 },
    });
    expect(() => loadNotifierConfig({ SPORTELLO_MODE: 'production' })).toThrow(
      /SMTP_HOST: required in production/,
    );
  });
});
