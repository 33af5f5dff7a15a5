import { generatePopulation } from '@sportello/hub';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { liveClients, type LiveClients } from './support/live-client.js';
import { SignInBrowser } from './support/oauth-flow.js';
import { startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 20;
const REDIRECT = 'http://localhost:5173/callback';

/**
 * What a citizen does in the browser: the authorize URL (with `login_hint`, demo mode) shows the
 * consent page when the app is not granted yet; "Consenti" posts it back with the cookie that binds
 * the sign-in to the browser. The redirect to the app.
 */
async function citizenAllows(url: URL): Promise<URL> {
  const browser = new SignInBrowser(url.origin);
  const answer = await browser.follow(url, { stopAt: REDIRECT, fields: { decision: 'allow' } });
  expect([302, 303]).toContain(answer.status);
  return new URL(answer.headers.get('location')!);
}

/**
 * A third-party app built on `openid-client` (a certified relying party) against the hub's public
 * origin, where the gateway forwards discovery and `/oauth/*` to identity.
 */
describe.each(['embedded', 'distributed'] as const)('an OpenID Connect app on the %s hub', (mode) => {
  let hub: RunningHub;
  const citizen = generatePopulation({ households: HOUSEHOLDS }).people.find(
    (person) => person.relationship === 'head',
  )!;
  let configuration: oidc.Configuration;

  beforeAll(async () => {
    hub = await startHub(mode, { households: HOUSEHOLDS });
    const admin = (await devToken(hub.identity, { kind: 'staff', office: 'admin' })).access_token;
    const registered = await graphql<{ registerApiClient: { client: { clientId: string } } }>(
      hub.api,
      `mutation { registerApiClient(input: { name: "Orari bus", scopes: [OPENID, PROFILE], redirectUris: ["${REDIRECT}"], confidential: false }) { client { clientId } } }`,
      { token: admin },
    );
    const clientId = registered.data!.registerApiClient.client.clientId;
    configuration = await oidc.discovery(new URL(hub.identity), clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  }, 360_000);

  let live: LiveClients;

  afterAll(async () => {
    await live?.dispose();
    await hub?.stop();
  });

  async function signIn() {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
      login_hint: citizen.fiscalCode,
    });
    return oidc.authorizationCodeGrant(configuration, await citizenAllows(url), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
  }

  const me = (token: string) =>
    graphql<{ me: { givenName: string } }>(hub.api, '{ me { givenName } }', { token });

  it('signs a citizen in: verified ID token, userinfo, refresh with rotation, revocation', async () => {
    expect(configuration.serverMetadata()).toMatchObject({
      issuer: hub.identity,
      authorization_response_iss_parameter_supported: true,
      revocation_endpoint: `${hub.identity}/oauth/revoke`,
    });
    const tokens = await signIn();
    expect(tokens.claims()).toMatchObject({
      iss: hub.identity,
      sub: citizen.fiscalCode,
      fiscal_number: `TINIT-${citizen.fiscalCode}`,
      given_name: citizen.givenName,
    });
    expect(await oidc.fetchUserInfo(configuration, tokens.access_token, citizen.fiscalCode)).toMatchObject({
      sub: citizen.fiscalCode,
      family_name: citizen.familyName,
    });
    expect((await me(tokens.access_token)).data?.me.givenName).toBe(citizen.givenName);

    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await me(refreshed.access_token)).data?.me.givenName).toBe(citizen.givenName);

    await oidc.tokenRevocation(configuration, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(configuration, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  // Before the test below, which withdraws the citizen's grant (and with it every token of the app
  // for the citizen issued up to that second).
  it('refuses an access token the app revoked at once, over HTTP and graphql-ws, and not a fresh one', async () => {
    live = liveClients(hub.api);
    const alerts = 'subscription { alertChanged { eventId } }';
    const revoked = await signIn();
    const fresh = await signIn();
    const before = await live.openSubscriptions();
    const revokedLive = live.subscribe(live.connect(revoked.access_token), alerts);
    const freshLive = live.subscribe(live.connect(fresh.access_token), alerts);
    await expect.poll(() => live.openSubscriptions(), { timeout: 10_000 }).toBe(before + 2);
    expect((await me(revoked.access_token)).status).toBe(200);

    await oidc.tokenRevocation(configuration, revoked.access_token, { token_type_hint: 'access_token' });
    const revokedAt = Date.now();
    // The gateway hears it on the bus: the open subscription is closed, naming the reason.
    await expect.poll(() => revokedLive.errors.length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(revokedLive.errors[0]).toMatchObject({ code: 4403 });
    const refused = await me(revoked.access_token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.reason).toBe('TOKEN_REVOKED');
    // A new subscription with it is refused too.
    const again = live.subscribe(live.connect(revoked.access_token), alerts);
    await expect.poll(() => again.errors.length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
    expect(again.results).toEqual([]);

    // The citizen's other sign-in goes on, over HTTP and on its open subscription.
    expect((await me(fresh.access_token)).data?.me.givenName).toBe(citizen.givenName);
    expect(await live.openSubscriptions()).toBe(before + 1);
    expect(freshLive.errors).toEqual([]);
  });

  it('ends the whole sign-in, through the gateway too, when a replaced refresh token comes back', async () => {
    const tokens = await signIn();
    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(oidc.refreshTokenGrant(configuration, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The gateway hears the revocation on the bus: the access token stops working within a moment.
    await expect.poll(async () => (await me(refreshed.access_token)).status, { timeout: 10_000 }).toBe(401);
  });
});
