import * as oidc from 'openid-client';
import type { DatabaseDriver } from '@sportello/platform';
import { busSubjectPattern, type EventEnvelope } from '@sportello/schema';
import { expect } from 'vitest';
import { TestBrowser } from './browser.js';
import { MARIO, startIdentity, type TestIdentity } from './harness.js';

/** Where the test app is sent back after a sign-in. */
export const APP_REDIRECT = 'http://localhost:5173/callback';
/** Identity's public origin in these tests (reached at the service's listening address). */
export const APP_ISSUER = 'http://identity.test';

/** The `jti` of an access token (read, not verified: the test holds it). */
export function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }).jti;
}

/** The tokens an app gets by redeeming a code. */
export type AppTokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/** Identity with a public third-party app ("Bus times": openid, profile) that Mario signs in to. */
export interface IdentityWithApp {
  service: TestIdentity;
  /** The app as an OpenID client of identity (`openid-client`), for redeeming, refreshing, revoking. */
  configuration: oidc.Configuration;
  clientId: string;
  /** The `access.revoked` events heard on identity's bus so far, in order. */
  heard: EventEnvelope[];
  /** Signs Mario in to the app in `browser` (a new one unless given), and redeems the code. */
  signIn(browser?: TestBrowser): Promise<AppTokens>;
}

/**
 * Starts identity on a fresh database of the driver (its public origin {@link APP_ISSUER}),
 * listening to the `access.revoked` events it announces, with a public third-party app registered
 * by the comune's administrator. Close it with `service.close()`.
 */
export async function startIdentityWithApp(driver: DatabaseDriver): Promise<IdentityWithApp> {
  const service = await startIdentity({ tokenIssuer: APP_ISSUER }, driver);
  const heard: EventEnvelope[] = [];
  await service.bus.listen(busSubjectPattern({ type: 'access.revoked' }), (envelope) => {
    heard.push(envelope);
  });
  const admin = await service.devToken({ subject: 'admin.neri' });
  const answer = await service.graphql(
    `mutation { registerApiClient(input: { name: "Bus times", scopes: [OPENID, PROFILE], redirectUris: ["${APP_REDIRECT}"], confidential: false }) { client { clientId } } }`,
    { token: admin },
  );
  const clientId = (answer.data?.registerApiClient as { client: { clientId: string } }).client.clientId;
  const configuration = await oidc.discovery(new URL(APP_ISSUER), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: (url, options) => fetch(url.replace(APP_ISSUER, service.url), options as RequestInit),
  });

  async function signIn(browser = new TestBrowser()): Promise<AppTokens> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: APP_REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      login_hint: MARIO,
    });
    const signedIn = await browser.followSignIn(url, {
      serviceUrl: service.url,
      issuer: APP_ISSUER,
      stopAt: APP_REDIRECT,
      fields: { decision: 'allow' },
    });
    expect([302, 303]).toContain(signedIn.status);
    return oidc.authorizationCodeGrant(configuration, new URL(signedIn.headers.get('location') ?? ''), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  }

  return { service, configuration, clientId, heard, signIn };
}
