import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { createTokenVerifier } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-support/browser.js';
import { MARIO, startIdentity, testConfig, type TestIdentity } from '../test-support/harness.js';
import { createCertifiedProvider, type CertifiedProvider, type RevokedGrant } from './certified-provider.js';
import { createPayloadAdapter } from './payload-adapter.js';

const REDIRECT = 'http://localhost:5173/callback';
/** The issuer the provider names itself; requests go to its loopback port. */
const ISSUER = 'http://certified.test';

/**
 * Identity's provider on oidc-provider, tried by `openid-client` as any OpenID Connect app would:
 * discovery, code with PKCE, the ID token, userinfo, refresh rotation (a reused refresh token ends
 * the grant), revocation, client credentials; the access tokens pass the verifier every service runs.
 */
describe('identity on oidc-provider', () => {
  let service: TestIdentity;
  let provider: CertifiedProvider;
  let server: Server;
  let url: string;
  let admin: string;
  const revoked: RevokedGrant[] = [];

  beforeAll(async () => {
    service = await startIdentity();
    admin = await service.devToken({ subject: 'admin.neri' });
    const config = testConfig({ tokenIssuer: ISSUER });
    const database = service.identity.database;
    provider = await createCertifiedProvider({
      config,
      database,
      keys: service.identity.keys,
      logger: { info() {}, warn() {}, error() {}, debug() {} } as never,
      adapter: createPayloadAdapter(() => database.forkUnscoped()),
      cookieKeys: ['a-cookie-key-for-the-tests-only-0123456789'],
      onGrantRevoked: (grant) => {
        revoked.push(grant);
        return Promise.resolve();
      },
    });
    server = createServer((request, response) => {
      provider.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await service?.close();
  });

  /** Requests to the issuer's origin reach the test provider. */
  const toProvider: oidc.CustomFetch = (target, options) =>
    fetch(target.replace(ISSUER, url), options as RequestInit);

  async function registerApp(scopes: string): Promise<{ clientId: string; secret: string }> {
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Bus times", scopes: [${scopes}], redirectUris: ["${REDIRECT}"], confidential: true, firstParty: false }) { clientSecret client { clientId } } }`,
      { token: admin },
    );
    const registered = answer.data?.registerApiClient as {
      clientSecret: string;
      client: { clientId: string };
    };
    return { clientId: registered.client.clientId, secret: registered.clientSecret };
  }

  async function relyingParty(app: { clientId: string; secret: string }): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(ISSUER), app.clientId, app.secret, oidc.ClientSecretPost(app.secret), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: toProvider,
    });
  }

  /** Follows the provider's redirects as a browser would, allowing the app when asked. */
  async function signIn(configuration: oidc.Configuration, scope: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
      login_hint: MARIO,
    });
    const browser = new TestBrowser();
    let answer = await browser.fetch(authorizationUrl.href.replace(ISSUER, url));
    for (let step = 0; step < 10; step += 1) {
      const location = answer.headers.get('location');
      if (location?.startsWith(REDIRECT)) break;
      if (answer.status === 200) {
        const page = await answer.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
        expect(action, page).toBeDefined();
        answer = await browser.submit(`${url}${action}`, page, { decision: 'allow' });
        continue;
      }
      expect([302, 303], await answer.clone().text()).toContain(answer.status);
      answer = await browser.fetch(new URL(location!, ISSUER).href.replace(ISSUER, url));
    }
    const callback = new URL(answer.headers.get('location') ?? '');
    expect(callback.searchParams.get('iss')).toBe(ISSUER);
    const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    return { tokens, nonce, code: callback.searchParams.get('code')!, verifier };
  }

  const verifier = () =>
    createTokenVerifier({
      issuer: ISSUER,
      audience: 'sportello',
      jwks: async () => ({ keys: await service.identity.keys.publishedKeys() }),
    });

  it('signs a citizen in for an app: verified ID token, API token with the platform claims, userinfo', async () => {
    const app = await registerApp('OPENID, PROFILE, PRACTICES');
    const configuration = await relyingParty(app);
    expect(configuration.serverMetadata()).toMatchObject({
      issuer: ISSUER,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      userinfo_endpoint: `${ISSUER}/oauth/userinfo`,
    });
    const { tokens, nonce } = await signIn(configuration, 'openid profile practices');
    expect(tokens.claims()).toMatchObject({ iss: ISSUER, sub: MARIO, aud: app.clientId, nonce });
    const principal = await verifier().verifyToken(tokens.access_token);
    expect(principal).toMatchObject({
      kind: 'client',
      clientId: app.clientId,
      onBehalfOf: { fiscalCode: MARIO },
    });
    expect(principal.kind === 'client' && principal.scopes).toEqual(
      expect.arrayContaining(['openid', 'profile', 'practices']),
    );
    const info = await oidc.fetchUserInfo(configuration, tokens.access_token, MARIO);
    expect(info).toMatchObject({ sub: MARIO, fiscal_number: `TINIT-${MARIO}`, given_name: 'Mario' });
  });

  it('rotates refresh tokens, and a reused one ends the grant', async () => {
    const app = await registerApp('OPENID, PRACTICES');
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid practices');
    const first = tokens.refresh_token!;
    const second = await oidc.refreshTokenGrant(configuration, first);
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first);
    await expect(oidc.refreshTokenGrant(configuration, first)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The reuse ended the whole grant: the newest refresh token is dead too, and identity is told.
    await expect(oidc.refreshTokenGrant(configuration, second.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(revoked).toContainEqual(expect.objectContaining({ clientId: app.clientId, fiscalCode: MARIO }));
  });

  it('revokes a refresh token (RFC 7009): it refreshes no more', async () => {
    const app = await registerApp('OPENID, PRACTICES');
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid practices');
    await oidc.tokenRevocation(configuration, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('redeems a code once: a second redemption is refused and ends what the first gave', async () => {
    const app = await registerApp('OPENID, PRACTICES');
    const configuration = await relyingParty(app);
    const { tokens, code, verifier: codeVerifier } = await signIn(configuration, 'openid practices');
    const again = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        redirect_uri: REDIRECT,
        client_id: app.clientId,
        client_secret: app.secret,
      }).toString(),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(revoked).toContainEqual(expect.objectContaining({ clientId: app.clientId, fiscalCode: MARIO }));
  });

  it('refuses an authorization request without PKCE', async () => {
    const app = await registerApp('OPENID');
    const noPkce = await fetch(
      `${url}/oauth/authorize?${new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid' })}`,
      { redirect: 'manual' },
    );
    const answer = new URL(noPkce.headers.get('location') ?? 'http://no-redirect.test');
    expect(answer.searchParams.get('error')).toBe('invalid_request');
    expect(answer.searchParams.get('iss')).toBe(ISSUER);
  });

  it('gives services and apps client-credentials tokens with their claims, and refuses a wrong secret', async () => {
    const token = async (fields: Record<string, string>) =>
      fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...fields }).toString(),
      });
    const service = await token({
      client_id: 'sportello-notifier',
      client_secret: 'notifier-secret-for-tests',
      comune: '001272',
    });
    expect(service.status).toBe(200);
    const serviceToken = ((await service.json()) as { access_token: string }).access_token;
    expect(await verifier().verifyToken(serviceToken)).toMatchObject({
      kind: 'service',
      service: 'notifier',
      comune: '001272',
    });
    const app = await registerApp('PRACTICES');
    const answer = await token({ client_id: app.clientId, client_secret: app.secret });
    expect(answer.status).toBe(200);
    const appToken = ((await answer.json()) as { access_token: string }).access_token;
    expect(await verifier().verifyToken(appToken)).toMatchObject({ kind: 'client', clientId: app.clientId });
    const wrong = await token({ client_id: app.clientId, client_secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });
});
