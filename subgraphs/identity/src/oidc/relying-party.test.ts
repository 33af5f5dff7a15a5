import * as oidc from 'openid-client';
import { DATABASE_DRIVERS } from '@sportello/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-support/browser.js';
import { MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

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
  ): Promise<{ clientId: string; secret: string | null }> {
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Bus times", scopes: [${scopes}], redirectUris: ["${REDIRECT}"], confidential: ${confidential} }) { clientSecret client { clientId } } }`,
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

  /** Signs MARIO in (allowing the app when asked) and redeems the code, checking what the app gets. */
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
    let answer = await browser.fetch(authorizationUrl.href.replace(ISSUER, service.url));
    if (answer.status === 200) {
      answer = await browser.submit(`${service.url}/oauth/consent`, await answer.text(), {
        decision: 'allow',
      });
    }
    expect(answer.status).toBe(302);
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
    expect(typeof claims.at_hash).toBe('string');
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
});
