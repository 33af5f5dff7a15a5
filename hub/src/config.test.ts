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
      // The embedded gateway shares its event loop with every service: fewer operations at once.
      expect(gateway['GATEWAY_MAX_CONCURRENT_OPERATIONS']).toBe(mode === 'embedded' ? '8' : undefined);
      // Only the gateway gets them.
      expect(serviceEnvironment('identity', config, planTopology(config, mode, {}))).not.toHaveProperty(
        'GATEWAY_MAX_ALIASES',
      );
    }
  });

  it('lets the operator set how many operations the embedded gateway runs at once', () => {
    const config = loadHubConfig({ SMTP_HOST: 'smtp.example.org', GATEWAY_MAX_CONCURRENT_OPERATIONS: '20' });
    const gateway = serviceEnvironment('gateway', config, planTopology(config, 'embedded', {}));
    expect(gateway['GATEWAY_MAX_CONCURRENT_OPERATIONS']).toBe('20');
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
  it('passes a production SPID/CIE upstream and staff provider on to identity in both modes, and only to identity', () => {
    const upstream = {
      UPSTREAM_OIDC_ISSUER: 'https://spid.aggregatore.example.it',
      UPSTREAM_OIDC_CLIENT_ID: 'comune-genova',
      UPSTREAM_OIDC_CLIENT_SECRET: 'a-secret-of-the-aggregator',
      UPSTREAM_OIDC_SCOPE: 'openid profile',
      UPSTREAM_FISCAL_CODE_CLAIM: 'fiscal_number',
      STAFF_OIDC_ISSUER: 'https://login.comune.example.it',
      STAFF_OIDC_CLIENT_ID: 'sportello',
      STAFF_OIDC_CLIENT_SECRET: 'a-secret-of-the-comune',
      STAFF_USERNAME_CLAIM: 'upn',
      STAFF_OIDC_CLIENTS: 'sportello-dashboard,protocollo',
    };
    const config = loadHubConfig({ SMTP_HOST: 'smtp.example.org', ...upstream });
    for (const mode of ['embedded', 'distributed'] as const) {
      const topology = planTopology(config, mode, {});
      expect(serviceEnvironment('identity', config, topology)).toMatchObject(upstream);
      expect(serviceEnvironment('anagrafe', config, topology)).not.toHaveProperty(
        'UPSTREAM_OIDC_CLIENT_SECRET',
      );
      expect(serviceEnvironment('gateway', config, topology)).not.toHaveProperty('STAFF_OIDC_CLIENT_SECRET');
    }
  });

  it('in demo mode (DEMO_UPSTREAM), signs citizens and staff in at the demo upstream unless a provider of its own is set; never in production', () => {
    const demoUpstream = {
      issuer: 'http://127.0.0.1:4007',
      citizen: { clientId: 'sportello-identity', clientSecret: 'citizen-secret' },
      staff: { clientId: 'sportello-staff', clientSecret: 'staff-secret' },
    };
    const config = loadHubConfig({ SMTP_HOST: 'smtp.example.org' });
    expect(loadHubConfig({ SMTP_HOST: 'smtp.example.org', DEMO_UPSTREAM: 'false' }).demoUpstream).toBe(false);
    expect(config.demoUpstream).toBe(true);
    for (const mode of ['embedded', 'distributed'] as const) {
      const identity = serviceEnvironment('identity', config, planTopology(config, mode, { demoUpstream }));
      expect(identity).toMatchObject({
        UPSTREAM_OIDC_ISSUER: demoUpstream.issuer,
        UPSTREAM_OIDC_CLIENT_ID: 'sportello-identity',
        UPSTREAM_OIDC_CLIENT_SECRET: 'citizen-secret',
        UPSTREAM_FISCAL_CODE_CLAIM: 'fiscalNumber',
        STAFF_OIDC_ISSUER: demoUpstream.issuer,
        STAFF_OIDC_CLIENT_ID: 'sportello-staff',
        STAFF_USERNAME_CLAIM: 'preferred_username',
      });
    }
    const ownStaff = loadHubConfig({
      SMTP_HOST: 'smtp.example.org',
      DEMO_UPSTREAM: 'true',
      STAFF_OIDC_ISSUER: 'https://login.comune.example.it',
      STAFF_OIDC_CLIENT_ID: 'sportello',
      STAFF_OIDC_CLIENT_SECRET: 'a-secret-of-the-comune',
    });
    const identity = serviceEnvironment(
      'identity',
      ownStaff,
      planTopology(ownStaff, 'embedded', { demoUpstream }),
    );
    expect(identity['UPSTREAM_OIDC_ISSUER']).toBe(demoUpstream.issuer);
    expect(identity['STAFF_OIDC_ISSUER']).toBe('https://login.comune.example.it');
    expect(identity['STAFF_OIDC_CLIENT_ID']).toBe('sportello');

    expect(() => loadHubConfig({ SPORTELLO_MODE: 'production', DEMO_UPSTREAM: 'true' })).toThrow(
      /DEMO_UPSTREAM: demo mode only/,
    );
  });
});
