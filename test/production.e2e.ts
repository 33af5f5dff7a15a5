import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtpSink, type SmtpSink } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';

/** What a production deployment must set, and what the hub does with it: no demo anywhere. */
const PUBLIC_URL = 'https://servizi.comune.genova.example';

function productionEnv(dataDir: string, sink: SmtpSink): Record<string, string> {
  return {
    SPORTELLO_MODE: 'production',
    PORT: '0',
    DATA_DIR: dataDir,
    PUBLIC_URL,
    INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    COMUNE: '010025',
    COMUNE_NAME: 'Genova',
    IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    UPSTREAM_OIDC_ISSUER: 'https://spid.broker.example',
    UPSTREAM_OIDC_CLIENT_ID: 'sportello-genova',
    UPSTREAM_OIDC_CLIENT_SECRET: 'a-client-secret-of-the-upstream',
    SMTP_HOST: sink.host,
    SMTP_PORT: String(sink.port),
    IO_API_URL: 'http://127.0.0.1:9',
    IO_API_KEY: 'an-io-subscription-key',
    CREDITOR_FISCAL_CODE: '00856930102',
    STAFF_ADMIN_USERNAME: 'admin.rossi',
  };
}

describe('the hub in production mode', () => {
  let dataDir: string;
  let sink: SmtpSink;
  let hub: HubProcess;
  let base: string;
  let services: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sportello-production-'));
    sink = await startSmtpSink();
    hub = startHubProcess('embedded', productionEnv(dataDir, sink));
    const output = await hub.waitFor('Sportello is up.', 120_000);
    base = /listening on\s+(\S+)/.exec(output)![1]!;
    services = Object.fromEntries(
      [.../services\s+(.+)/.exec(output)![1]!.matchAll(/([a-z-]+) (127\.0\.0\.1:\d+)/g)].map((m) => [
        m[1]!,
        `http://${m[2]!}`,
      ]),
    );
  }, 150_000);

  afterAll(async () => {
    await hub?.stop();
    await sink?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says it runs in production, on the public origin, with no demo endpoint in the banner', () => {
    const output = hub.output();
    expect(output).toContain('production mode for comune 010025');
    expect(output).toMatch(/mode\s+production \(embedded\)/);
    expect(output).toContain(`GraphQL API        ${PUBLIC_URL}/graphql`);
    expect(output).not.toContain('demo tokens');
    expect(output).not.toContain('development login');
    // Nothing of the demo comune was generated.
    expect(output).not.toMatch(/citizens|residents|payment positions/);
    expect(output).toContain('practices: 37 practice types of the catalogue');
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'identity',
        'anagrafe',
        'tributi',
        'practices',
        'civil-protection',
        'notifier',
      ]),
    );
  });

  it('offers no development token or login, and refuses the demo clients and their public secrets', async () => {
    const devToken = await fetch(`${base}/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'admin' }),
    });
    expect(devToken.status).toBe(404);
    const devLogin = await fetch(`${base}/oauth/login`, { method: 'POST', body: 'subject=admin' });
    expect(devLogin.status).toBe(404);

    for (const [clientId, secret] of [
      ['sportello-pagopa', 'demo-pagopa-secret'],
      ['sportello-notifier', 'demo-notifier-secret'],
      ['demo-app', 'demo-app-secret'],
    ]) {
      const token = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId!,
          client_secret: secret!,
          comune: '010025',
        }).toString(),
      });
      expect(token.status, clientId).toBe(401);
    }
  });

  it('publishes its OpenID configuration on the public origin', async () => {
    const discovery = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(discovery['issuer']).toBe(PUBLIC_URL);
    expect(discovery['authorization_endpoint']).toBe(`${PUBLIC_URL}/oauth/authorize`);
    expect(discovery['jwks_uri']).toBe(`${PUBLIC_URL}/.well-known/jwks.json`);
    const keys = await fetch(`${base}/.well-known/jwks.json`);
    expect(keys.status).toBe(200);
    expect(Array.isArray(((await keys.json()) as { keys: unknown }).keys)).toBe(true);
  });

  it('turns introspection and "Did you mean" suggestions off', async () => {
    const introspection = await graphql(`${base}/graphql`, '{ __schema { types { name } } }');
    expect(introspection.data ?? null).toBeNull();
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await graphql(`${base}/graphql`, '{ activeAlert { id } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('serves public data through the gateway, with the comune set up and nothing of the demo', async () => {
    const types = await graphql<{ practiceTypes: { totalCount: number } }>(
      `${base}/graphql`,
      '{ practiceTypes { totalCount } }',
      { headers: { 'x-comune': '010025' } },
    );
    expect(types.errors).toBeUndefined();
    expect(types.data?.practiceTypes.totalCount).toBe(37);
  });

  it("refuses every direct call to a service's port, whatever it carries", async () => {
    for (const [name, url] of Object.entries(services)) {
      const direct = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect(direct.status, name).toBe(401);
      const body = (await direct.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(body.errors[0]?.extensions['reason'], name).toBe('INTERNAL_ASSERTION_REQUIRED');
    }
    const jwks = await fetch(`${services['identity']}/.well-known/jwks.json`);
    expect(jwks.status).toBe(401);
  });
});

describe.each(['embedded', 'distributed'] as const)('a production start missing settings (%s)', (mode) => {
  it('stops at once with one message naming every missing variable, and no stack trace', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sportello-production-refused-'));
    const hub = startHubProcess(mode, { SPORTELLO_MODE: 'production', PORT: '0', DATA_DIR: dataDir });
    try {
      const code = await new Promise<number | null>((resolve) => hub.child.once('exit', resolve));
      const output = hub.output();
      expect(code).toBe(2);
      for (const variable of [
        'PUBLIC_URL',
        'INTERNAL_SECRET',
        'COMUNE',
        'COMUNE_NAME',
        'IDENTITY_KEY_ENCRYPTION_KEY',
        'UPSTREAM_OIDC_ISSUER',
        'SMTP_HOST',
        'IO_API_KEY',
        'CREDITOR_FISCAL_CODE',
      ]) {
        expect(output).toMatch(new RegExp(`\\b${variable}: required in production`));
      }
      // Each variable once, in one message, and no stack trace.
      expect(output.match(/PUBLIC_URL: required/g)).toHaveLength(1);
      expect(output.match(/Invalid configuration/g)).toHaveLength(1);
      expect(output).not.toMatch(/\n\s+at /);
      expect(output).not.toContain('Sportello is up');
    } finally {
      await hub.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
