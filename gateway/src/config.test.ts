import { ConfigError } from '@sportello/platform';
import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv, parseGatewayEnv, resolveGatewayConfig } from './config.js';

const base = {
  TOKEN_ISSUER: 'https://identity.example.it',
  JWKS_URL: 'https://identity.example.it/.well-known/jwks.json',
  GATEWAY_SUBGRAPHS: 'identity=http://127.0.0.1:4001/graphql, anagrafe=http://127.0.0.1:4002/graphql',
};

describe('gateway environment', () => {
  it('turns the environment into a gateway configuration with defaults', () => {
    const env = parseGatewayEnv({
      ...base,
      GATEWAY_MAX_DEPTH: '8',
      SPORTELLO_MODE: 'production',
      PUBLIC_URL: 'https://servizi.comune.example.it',
      INTERNAL_SECRET: 'the-deployment-internal-secret-0123456789',
    });
    const config = resolveGatewayConfig(
      gatewayConfigFromEnv(env, { supergraphSdl: 'type Query { a: Int }' }),
    );
    expect(config.subgraphUrls).toEqual({
      identity: 'http://127.0.0.1:4001/graphql',
      anagrafe: 'http://127.0.0.1:4002/graphql',
    });
    expect(config.mode).toBe('production');
    expect(config.limits).toMatchObject({ maxDepth: 8, maxAliases: 30, maxBodyBytes: 100_000 });
    expect(env.PORT).toBe(4000);
    expect(config.publicUrl).toBe('https://servizi.comune.example.it');
  });

  it('needs the public origin and the internal secret in production, and says so at once', () => {
    const attempt = () => parseGatewayEnv({ ...base, SPORTELLO_MODE: 'production' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PUBLIC_URL: required in production/);
    expect(attempt).toThrow(/INTERNAL_SECRET: required in production/);
    expect(() =>
      parseGatewayEnv({
        ...base,
        SPORTELLO_MODE: 'production',
        PUBLIC_URL: 'http://servizi.comune.example.it',
        INTERNAL_SECRET: 'the-deployment-internal-secret-0123456789',
      }),
    ).toThrow(/PUBLIC_URL: must be https:\/\/ in production/);
  });

  it('reads the public data settings, with the cache, merging and a 5 s bound on by default', () => {
    const defaults = resolveGatewayConfig(
      gatewayConfigFromEnv(parseGatewayEnv(base), { supergraphSdl: 'type Query { a: Int }' }),
    );
    expect(defaults.publicData).toEqual({
      responseCache: true,
      maxAgeSeconds: 5,
      maxBytes: 32 * 1024 * 1024,
      dedupe: true,
    });
    const env = parseGatewayEnv({
      ...base,
      GATEWAY_RESPONSE_CACHE: 'false',
      GATEWAY_PUBLIC_MAX_AGE_SECONDS: '2',
      GATEWAY_RESPONSE_CACHE_BYTES: '1048576',
      GATEWAY_DEDUPE: '0',
    });
    expect(
      resolveGatewayConfig(gatewayConfigFromEnv(env, { supergraphSdl: 'type Query { a: Int }' })).publicData,
    ).toEqual({ responseCache: false, maxAgeSeconds: 2, maxBytes: 1_048_576, dedupe: false });
    expect(() => parseGatewayEnv({ ...base, GATEWAY_PUBLIC_MAX_AGE_SECONDS: '0' })).toThrow(
      /GATEWAY_PUBLIC_MAX_AGE_SECONDS/,
    );
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      parseGatewayEnv({ ...base, GATEWAY_SUBGRAPHS: 'identity=ftp://x', GATEWAY_MAX_DEPTH: 'deep' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.variable).sort()).toEqual([
      'GATEWAY_MAX_DEPTH',
      'GATEWAY_SUBGRAPHS',
    ]);
    expect((error as Error).message).toContain('"identity=ftp://x" is not one');
  });
});
