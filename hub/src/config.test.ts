import { ConfigError } from '@sportello/platform';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.js';
import { planTopology, serviceEnvironment } from './topology.js';

describe('hub configuration', () => {
  it("hands the hub's GATEWAY_* settings to its gateway in both modes; the subgraph list stays the hub's", () => {
    const config = loadHubConfig({
      PORT: '4000',
      SMTP_HOST: 'smtp.example.org',
      GATEWAY_MAX_ALIASES: '8',
      GATEWAY_CLIENT_RATE_LIMIT: '50',
      GATEWAY_INTROSPECTION: 'false',
      GATEWAY_SUBGRAPHS: 'identity=http://elsewhere.example/graphql',
    });
    expect(config.gatewaySettings).toEqual({
      GATEWAY_MAX_ALIASES: '8',
      GATEWAY_CLIENT_RATE_LIMIT: '50',
      GATEWAY_INTROSPECTION: 'false',
    });
    for (const mode of ['embedded', 'distributed'] as const) {
      const gateway = serviceEnvironment('gateway', config, planTopology(config, mode, {}));
      expect(gateway).toMatchObject({
        GATEWAY_MAX_ALIASES: '8',
        GATEWAY_CLIENT_RATE_LIMIT: '50',
        GATEWAY_INTROSPECTION: 'false',
      });
      expect(gateway['GATEWAY_SUBGRAPHS']).toContain('identity=http://127.0.0.1:4001/graphql');
      // Replicas share rate-limit usage over NATS; the embedded hub's one gateway has no one to tell.
      expect(gateway['GATEWAY_RATE_LIMIT_SYNC_MS']).toBe(mode === 'embedded' ? '0' : undefined);
      // Only the gateway gets them.
      expect(serviceEnvironment('identity', config, planTopology(config, mode, {}))).not.toHaveProperty(
        'GATEWAY_MAX_ALIASES',
      );
    }
  });

  it('hands IDENTITY_KEY_ENCRYPTION_KEY to identity alone, and refuses one that is not 32 bytes', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadHubConfig({ SMTP_HOST: 'smtp.example.org', IDENTITY_KEY_ENCRYPTION_KEY: key });
    const topology = planTopology(config, 'embedded', {});
    expect(serviceEnvironment('identity', config, topology)['IDENTITY_KEY_ENCRYPTION_KEY']).toBe(key);
    expect(serviceEnvironment('notifier', config, topology)).not.toHaveProperty(
      'IDENTITY_KEY_ENCRYPTION_KEY',
    );
    expect(serviceEnvironment('gateway', config, topology)).not.toHaveProperty('IDENTITY_KEY_ENCRYPTION_KEY');

    const load = () => loadHubConfig({ IDENTITY_KEY_ENCRYPTION_KEY: 'too-short' });
    expect(load).toThrow(/IDENTITY_KEY_ENCRYPTION_KEY: expected 32 bytes in base64/);
  });

  it('refuses a bad gateway setting at start, naming the variable', () => {
    const load = () => loadHubConfig({ GATEWAY_MAX_DEPTH: '0', GATEWAY_DEDUPE: 'maybe' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/GATEWAY_MAX_DEPTH/);
    expect(load).toThrow(/GATEWAY_DEDUPE/);
  });
});
