import * as oidc from 'openid-client';
import { createTokenVerifier } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-support/browser.js';
import { MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';
/** The issuer the provider names itself; requests go to its loopback port. */
const ISSUER = 'http://identity.test';

/**
 * Identity's provider on oidc-provider, tried by `openid-client` as any OpenID Connect app would:
 * discovery, code with PKCE, the ID token, userinfo, refresh rotation (a reused refresh token ends
 * the grant), revocation, client credentials; the access tokens pass the verifier every service runs.
 */
describe('identity on oidc-provider', () => {
  let service: TestIdentity;
  let url: string;
  let admin: string;

  beforeAll(async () => {
    service = await startIdentity({ tokenIssuer: ISSUER });
    url = service.url;
    admin = await service.devToken({ subject: 'admin.neri' });
  });
  afterAll(() => service?.close());

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

  /** The API refuses the token: identity's own GraphQL, which honours revocations like every service. */
  async function expectRefused(token: string) {
    const answer = await service.graphql('{ me { givenName } }', { token });
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
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
    // ...and the access tokens of the sign-in stop working at once.
    await expectRefused(tokens.access_token);
    await expectRefused(second.access_token);
  });

  it('revokes a refresh token (RFC 7009): it refreshes no more', async () => {
    const app = await registerApp('OPENID, PRACTICES');
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid practices');
    const before = await service.graphql('{ me { givenName } }', { token: tokens.access_token });
    expect(before.errors?.[0]?.extensions?.code).not.toBe('UNAUTHENTICATED');
    await oidc.tokenRevocation(configuration, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expectRefused(tokens.access_token);
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
    await expectRefused(tokens.access_token);
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
