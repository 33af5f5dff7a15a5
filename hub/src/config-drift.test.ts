import { loadAnagrafeConfig } from '@sportello/anagrafe';
import { loadCivilProtectionConfig } from '@sportello/civil-protection';
import { gatewayConfigFromEnv, parseGatewayEnv, gatewayTokenIssuer } from '@sportello/gateway';
import { loadIdentityConfig } from '@sportello/identity';
import { loadNotifierConfig } from '@sportello/notifier';
import { CORE_DEFAULTS, DEFAULT_PORTS, type Environment, type ServiceCoreConfig } from '@sportello/platform';
import { loadPracticesConfig } from '@sportello/practices';
import { loadTributiConfig } from '@sportello/tributi';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.js';

const LOADERS: Record<
  keyof typeof DEFAULT_PORTS & string,
  ((env: Environment) => ServiceCoreConfig) | undefined
> = {
  gateway: undefined,
  identity: loadIdentityConfig,
  anagrafe: loadAnagrafeConfig,
  tributi: loadTributiConfig,
  practices: loadPracticesConfig,
  'civil-protection': loadCivilProtectionConfig,
  notifier: loadNotifierConfig,
};

describe('the core settings every process shares', () => {
  it('have one default each: run alone on defaults, the services and the gateway agree', () => {
    for (const [service, load] of Object.entries(LOADERS)) {
      if (load === undefined) continue;
      const config = load({});
      expect(config, service).toMatchObject({
        mode: 'demo',
        port: DEFAULT_PORTS[service as keyof typeof DEFAULT_PORTS],
        host: CORE_DEFAULTS.host,
        defaultComune: CORE_DEFAULTS.comune,
        comuneNames: { [CORE_DEFAULTS.comune]: CORE_DEFAULTS.comuneName },
        tokenIssuer: CORE_DEFAULTS.publicUrl,
        tokenAudience: CORE_DEFAULTS.tokenAudience,
        publicUrl: CORE_DEFAULTS.publicUrl,
        internalSecret: null,
      });
      expect(config.jwksUrl.toString(), service).toBe(CORE_DEFAULTS.jwksUrl);
    }
    const gateway = parseGatewayEnv({ GATEWAY_SUBGRAPHS: 'identity=http://127.0.0.1:4001/graphql' });
    expect(gatewayTokenIssuer(gateway)).toBe(CORE_DEFAULTS.publicUrl);
    expect(gateway.TOKEN_AUDIENCE).toBe(CORE_DEFAULTS.tokenAudience);
    expect(gateway.JWKS_URL.toString()).toBe(CORE_DEFAULTS.jwksUrl);
    expect(gateway.PORT).toBe(DEFAULT_PORTS.gateway);
    expect(gatewayConfigFromEnv(gateway, { supergraphSdl: 'type Query { a: Int }' }).publicUrl).toBe(
      CORE_DEFAULTS.publicUrl,
    );
    const hub = loadHubConfig({});
    expect(hub).toMatchObject({
      mode: 'demo',
      port: DEFAULT_PORTS.gateway,
      comune: CORE_DEFAULTS.comune,
      comuneName: CORE_DEFAULTS.comuneName,
      tokenAudience: CORE_DEFAULTS.tokenAudience,
    });
  });
});
