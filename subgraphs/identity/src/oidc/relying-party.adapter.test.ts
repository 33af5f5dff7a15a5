import * as oidc from 'openid-client';
import { createTokenVerifier } from '@sportello/platform';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-support/browser.js';
import { DASHBOARD_CLIENT_ID } from '../seed/index.js';
import { DASHBOARD_REDIRECT, MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';
/** The issuer the test identity names itself (its `tokenIssuer`); requests go to its loopback port. */
const ISSUER = 'http://identity.test';

/**
 * An app signing citizens in with `openid-client`, a certified relying party library: what it
 * checks (discovery, the authorization response's `iss`, the ID token's signature and claims,
 * userinfo's subject) is what any OpenID Connect app would.
 */
describe.each(DATABASE_DRIVERS)('identity as an OpenID provider on %s', (driver) => {
  let service: TestIdentity;
  let admin: string;

  beforeAll(async () => {
    service = await startIdentity({ tokenIssuer: ISSUER }, driver);
    admin = await service.devToken({ subject: 'admin.neri' });
  });
  afterAll(() => service?.close());

  /** Requests to the issuer's origin reach the test service. */
  const toService: oidc.CustomFetch = (url, options) =>
    fetch(url.replace(ISSUER, service.url), options as RequestInit);

  async function registerApp(
    scopes: string,
    confidential: boolean,
    firstParty = false,
  ): Promise<{ clientId: string; secret: string | null }> {
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Bus times", scopes: [${scopes}], redirectUris: ["${REDIRECT}"], confidential: ${confidential}, firstParty: ${firstParty} }) { clientSecret client { clientId } } }`,
      { token: admin },
    );
    const registered = answer.data?.registerApiClient as {
      clientSecret: string | null;
      client: { clientId: string };
    };
    return { clientId: registered.client.clientId, secret: registered.clientSecret };
  }

  /** The app's view of the provider, from discovery. */
  async function relyingParty(app: { clientId: string; secret: string | null }): Promise<oidc.Configuration> {
    const configuration = await oidc.discovery(
      new URL(ISSUER),
      app.clientId,
      app.secret ?? undefined,
      app.secret === null ? oidc.None() : oidc.ClientSecretPost(app.secret),
      { execute: [oidc.allowInsecureRequests], [oidc.customFetch]: toService },
    );
    return configuration;
  }

  /**
   * Signs MARIO in (allowing the app when asked) in `browser` (a new one unless given) and redeems
   * the code, checking what the app gets.
   */
  async function signIn(configuration: oidc.Configuration, scope: string, browser = new TestBrowser()) {
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
    const answer = await browser.followSignIn(authorizationUrl, {
      serviceUrl: service.url,
      issuer: ISSUER,
      stopAt: REDIRECT,
      fields: { decision: 'allow' },
    });
    expect([302, 303]).toContain(answer.status);
    const callback = new URL(answer.headers.get('location') ?? '');
    expect(callback.searchParams.get('iss')).toBe(ISSUER);
    const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    return { tokens, nonce };
  }

  async function me(token: string) {
    return service.graphql('{ me { givenName } }', { token });
  }

  /** When the citizen's grant to the app was last used, as they see it. */
  async function lastUsed(clientId: string): Promise<string | null | undefined> {
    const answer = await service.graphql('{ myAppGrants { nodes { clientId lastUsedAt } } }', {
      token: await service.devToken({ subject: MARIO }),
    });
    const grants = (answer.data?.myAppGrants as { nodes: { clientId: string; lastUsedAt: string | null }[] })
      .nodes;
    return grants.find((grant) => grant.clientId === clientId)?.lastUsedAt;
  }

  it('advertises what it implements in discovery', async () => {
    const configuration = await relyingParty(await registerApp('OPENID', true));
    const metadata = configuration.serverMetadata();
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      userinfo_endpoint: `${ISSUER}/oauth/userinfo`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    expect(metadata.grant_types_supported).toContain('refresh_token');
    expect(metadata.revocation_endpoint).toBe(`${ISSUER}/oauth/revoke`);
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'fiscal_number', 'given_name']));
    const endpoints = await fetch(`${service.url}/oauth/userinfo`);
    expect(endpoints.status).toBe(401);
  });

  it('signs a citizen in with code and PKCE: a verified ID token and userinfo with the granted claims', async () => {
    const configuration = await relyingParty(await registerApp('OPENID, PROFILE', true));
    const { tokens, nonce } = await signIn(configuration, 'openid profile');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: MARIO,
      aud: configuration.clientMetadata().client_id,
      nonce,
      fiscal_number: `TINIT-${MARIO}`,
      given_name: 'Mario',
      family_name: 'Rossi',
    });
    expect(typeof claims.auth_time).toBe('number');
    // The access token is the API's: the claims every service's verifier reads.
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: 'sportello',
      jwks: async () => ({ keys: await service.identity.keys.publishedKeys() }),
    });
    expect(await verifier.verifyToken(tokens.access_token)).toMatchObject({
      kind: 'client',
      clientId: configuration.clientMetadata().client_id,
      onBehalfOf: { fiscalCode: MARIO },
      scopes: expect.arrayContaining(['openid', 'profile']),
    });
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, MARIO);
    expect(userinfo).toMatchObject({
      sub: MARIO,
      fiscal_number: `TINIT-${MARIO}`,
      given_name: 'Mario',
      family_name: 'Rossi',
      email: 'mario@example.org',
      email_verified: true,
    });
  });

  it('gives names only when the profile scope was granted', async () => {
    const configuration = await relyingParty(await registerApp('OPENID', true));
    const { tokens } = await signIn(configuration, 'openid');
    expect(tokens.claims()).toMatchObject({ sub: MARIO, fiscal_number: `TINIT-${MARIO}` });
    expect(tokens.claims()).not.toHaveProperty('given_name');
    const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, MARIO);
    expect(userinfo).not.toHaveProperty('given_name');
    expect(userinfo).not.toHaveProperty('email');
  });

  it('names itself in error answers to the app too (RFC 9207)', async () => {
    const app = await registerApp('OPENID', true);
    const answer = await fetch(
      `${service.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid tributi',
        state: 'app-state',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    const location = new URL(answer.headers.get('location') ?? '');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      error: 'invalid_scope',
      state: 'app-state',
      iss: ISSUER,
    });
  });

  it('refuses an authorization request without PKCE, naming itself', async () => {
    const app = await registerApp('OPENID', true);
    const noPkce = await fetch(
      `${service.url}/oauth/authorize?${new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid' })}`,
      { redirect: 'manual' },
    );
    const answer = new URL(noPkce.headers.get('location') ?? 'http://no-redirect.test');
    expect(answer.searchParams.get('error')).toBe('invalid_request');
    expect(answer.searchParams.get('iss')).toBe(ISSUER);
  });

  it('refuses userinfo without a valid bearer token', async () => {
    const missing = await fetch(`${service.url}/oauth/userinfo`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forged = await fetch(`${service.url}/oauth/userinfo`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('rotates refresh tokens for a public app, and a replaced one presented again ends the whole sign-in', async () => {
    const app = await registerApp('OPENID, PROFILE', false);
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid profile');
    const first = tokens.refresh_token!;
    const before = await lastUsed(app.clientId);

    const second = await oidc.refreshTokenGrant(configuration, first);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect(second.claims()).toMatchObject({ sub: MARIO, given_name: 'Mario' });
    expect((await me(second.access_token)).data?.me).toEqual({ givenName: 'Mario' });
    // The citizen sees the app used their grant just now.
    const after = await lastUsed(app.clientId);
    expect(after).toBeTruthy();
    expect(Date.parse(after!)).toBeGreaterThanOrEqual(Date.parse(before ?? after!));
    const third = await oidc.refreshTokenGrant(configuration, second.refresh_token!);

    // The first token was replaced: whoever presents it may have stolen it.
    await expect(oidc.refreshTokenGrant(configuration, first)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The newest token of the sign-in no longer works either, nor its access tokens.
    await expect(oidc.refreshTokenGrant(configuration, third.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const refused = await me(third.access_token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  it('refuses refresh tokens once the citizen withdrew the grant, even after granting again', async () => {
    const app = await registerApp('OPENID, PROFILE', true);
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid profile');
    const withdrawn = await service.graphql(`mutation { revokeAppGrant(clientId: "${app.clientId}") }`, {
      token: await service.devToken({ subject: MARIO }),
    });
    expect(withdrawn.data?.revokeAppGrant).toBe(true);
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const again = await signIn(configuration, 'openid profile');
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(
      (await oidc.refreshTokenGrant(configuration, again.tokens.refresh_token!)).access_token,
    ).toBeTruthy();
  });

  it('refuses refresh tokens of a revoked app and of another app', async () => {
    const app = await registerApp('OPENID', true);
    const other = await relyingParty(await registerApp('OPENID', true));
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid');
    await expect(oidc.refreshTokenGrant(other, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await service.graphql(`mutation { revokeApiClient(clientId: "${app.clientId}") { clientId } }`, {
      token: admin,
    });
    // The app itself is refused (401 invalid_client), whatever token it presents.
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      status: 401,
    });
  });

  it('keeps a clerk of the staff dashboard signed in with refresh tokens, the ID token naming the clerk', async () => {
    const configuration = await relyingParty({ clientId: DASHBOARD_CLIENT_ID, secret: null });
    const verifier = oidc.randomPKCECodeVerifier();
    const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: DASHBOARD_REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const answer = await new TestBrowser().followSignIn(authorizationUrl, {
      serviceUrl: service.url,
      issuer: ISSUER,
      stopAt: DASHBOARD_REDIRECT,
      fields: { staff_username: 'anagrafe.bianchi' },
    });
    const tokens = await oidc.authorizationCodeGrant(
      configuration,
      new URL(answer.headers.get('location') ?? ''),
      { pkceCodeVerifier: verifier, idTokenExpected: true },
    );
    expect(tokens.claims()).toMatchObject({ sub: 'anagrafe.bianchi', aud: DASHBOARD_CLIENT_ID });
    // The dashboard asked for openid only: no names.
    expect(tokens.claims()).not.toHaveProperty('name');
    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    const userinfo = await oidc.fetchUserInfo(configuration, refreshed.access_token, 'anagrafe.bianchi');
    expect(userinfo).toEqual({ sub: 'anagrafe.bianchi' });

    // A clerk an administrator disabled can no longer refresh.
    const disabled = await service.graphql(
      'mutation { setStaffMemberEnabled(username: "anagrafe.bianchi", enabled: false) { username } }',
      { token: admin },
    );
    expect(disabled.errors).toBeUndefined();
    await expect(oidc.refreshTokenGrant(configuration, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await service.graphql(
      'mutation { setStaffMemberEnabled(username: "anagrafe.bianchi", enabled: true) { username } }',
      { token: admin },
    );
    expect(tokens.claims()!.auth_time).toEqual(expect.any(Number));
    expect(refreshed.claims()).toMatchObject({
      sub: 'anagrafe.bianchi',
      auth_time: tokens.claims()!.auth_time,
    });
  });

  /** What an internal service learns of a token at the introspection endpoint. */
  async function introspect(token: string, secret = 'notifier-secret-for-tests') {
    const answer = await service.post(
      '/oauth/introspect',
      { token },
      { authorization: `Basic ${Buffer.from(`sportello-notifier:${secret}`).toString('base64')}` },
    );
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  }

  it('lets an app revoke its refresh token: the sign-in can no longer be refreshed', async () => {
    const app = await registerApp('OPENID', false);
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid');
    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    expect((await introspect(refreshed.refresh_token!)).body).toMatchObject({
      active: true,
      client_id: app.clientId,
      sub: MARIO,
    });

    await oidc.tokenRevocation(configuration, refreshed.refresh_token!, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(configuration, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await introspect(refreshed.refresh_token!)).body).toEqual({ active: false });
    // Revoking again, or a token that never existed, is answered the same.
    await oidc.tokenRevocation(configuration, refreshed.refresh_token!);
    await oidc.tokenRevocation(configuration, 'no-such-token');
  });

  it('lets an app revoke an access token: its sign-in ends, userinfo and introspection refuse it', async () => {
    const app = await registerApp('OPENID, PROFILE', true);
    const configuration = await relyingParty(app);
    const { tokens } = await signIn(configuration, 'openid profile');
    expect((await introspect(tokens.access_token)).body).toMatchObject({
      active: true,
      sub: MARIO,
      client_id: app.clientId,
      scope: 'openid profile',
      iss: ISSUER,
    });
    // Another app cannot revoke it.
    const other = await relyingParty(await registerApp('OPENID', true));
    await oidc.tokenRevocation(other, tokens.access_token);
    expect(await oidc.fetchUserInfo(configuration, tokens.access_token, MARIO)).toMatchObject({ sub: MARIO });

    await oidc.tokenRevocation(configuration, tokens.access_token, { token_type_hint: 'access_token' });
    expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    await expect(oidc.fetchUserInfo(configuration, tokens.access_token, MARIO)).rejects.toMatchObject({
      status: 401,
    });
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('answers introspection to Sportello services only', async () => {
    const configuration = await relyingParty(await registerApp('OPENID', true));
    const { tokens } = await signIn(configuration, 'openid');
    expect((await introspect(tokens.access_token, 'wrong-secret')).status).toBe(401);
    const asApp = await service.post('/oauth/introspect', {
      token: tokens.access_token,
      client_id: configuration.clientMetadata().client_id,
      client_secret: String(configuration.clientMetadata().client_secret),
    });
    // An app learns nothing about a token there, not even its own.
    expect(asApp.status).toBe(401);
    expect(await asApp.json()).toMatchObject({ error: 'invalid_client' });
    expect((await introspect('not-a-token')).body).toEqual({ active: false });
  });

  it("ends a first-party app's refreshing when the citizen signs out everywhere, not a third-party app's", async () => {
    const portal = await relyingParty(await registerApp('OPENID, PROFILE', false, true));
    const thirdParty = await relyingParty(await registerApp('OPENID', false));
    const browser = new TestBrowser();
    const own = await signIn(portal, 'openid profile', browser);
    const granted = await signIn(thirdParty, 'openid');
    expect(own.tokens.claims()).toMatchObject({ sub: MARIO, given_name: 'Mario' });

    const signedOut = await service.graphql('mutation { signOutEverywhere }', {
      token: own.tokens.access_token,
    });
    expect(signedOut.data?.signOutEverywhere).toBe(true);
    await expect(oidc.refreshTokenGrant(portal, own.tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(
      (await oidc.refreshTokenGrant(thirdParty, granted.tokens.refresh_token!)).access_token,
    ).toBeTruthy();
    // Signing in again, in the same browser (whose session the sign-out ended), gives tokens that work.
    const again = await signIn(portal, 'openid profile', browser);
    expect((await me(again.tokens.access_token)).data?.me).toEqual({ givenName: 'Mario' });
    expect((await oidc.refreshTokenGrant(portal, again.tokens.refresh_token!)).access_token).toBeTruthy();
  });
});
