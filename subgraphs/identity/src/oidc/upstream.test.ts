import type { EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOneTimeToken } from '../domain/secrets.js';
import { CitizenEntity } from '../entities/citizen.entity.js';
import type { FakeUpstream } from '../test-support/fake-upstream.js';
import { TestBrowser } from '../test-support/browser.js';
import type { TestIdentity } from '../test-support/harness.js';
import {
  adminToken,
  authorizeUrl,
  signInUpstream,
  startIdentityWithUpstream,
  type IdentityWithUpstream,
} from '../test-support/upstream-sign-in.js';

const NEW_CITIZEN = 'RSSMRA80B01F2LRC';
const ISSUER = 'http://identity.test';
const REDIRECT = 'http://localhost:5173/callback';
let started: IdentityWithUpstream | undefined;
let upstream: FakeUpstream;
let service: TestIdentity;

beforeAll(async () => {
  started = await startIdentityWithUpstream(
    {
      clientId: 'sportello-identity',
      clientSecret: 'upstream-secret',
      user: { fiscalNumber: `TINIT-${NEW_CITIZEN}`, given_name: 'Maria', family_name: 'Russo' },
    },
    (login) => ({ upstream: { ...login, scope: 'openid profile', fiscalCodeClaim: 'fiscalNumber' } }),
  );
  ({ upstream, service } = started);
});
afterAll(() => started?.close());

/** Registers a public app signing citizens in (openid, profile), as the comune's administrator: its client id. */
async function registerApp(name: string): Promise<string> {
  const registered = await service.graphql(
    `mutation { registerApiClient(input: { name: "${name}", scopes: [OPENID, PROFILE], redirectUris: ["${REDIRECT}"], confidential: false }) { client { clientId } } }`,
    { token: await adminToken(service) },
  );
  return (registered.data?.registerApiClient as { client: { clientId: string } }).client.clientId;
}

describe('SPID/CIE brokering through an upstream OpenID provider', () => {
  it('signs a new citizen in upstream, opens their account and gives the app a token after consent', async () => {
    const events: EventEnvelope[] = [];
    await service.bus.listen('sportello.>', (event) => events.push(event));
    const clientId = await registerApp('Portal');

    const verifier = generateOneTimeToken();
    const authorize = authorizeUrl(service.url, {
      clientId,
      redirectUri: REDIRECT,
      scope: 'openid profile',
      state: 'app-state',
      verifier,
    });
    const browser = new TestBrowser();
    const follow = (start: string | URL, from = browser, fields?: Record<string, string>) =>
      from.followSignIn(start, { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT, fields });
    const { upstreamUrl, callback } = await signInUpstream(follow, authorize);
    expect(upstreamUrl.origin).toBe(upstream.issuer);

    expect(`${callback.origin}${callback.pathname}`).toBe(`${ISSUER}/oauth/callback`);
    // Another browser landing on it (a link planted by whoever started this sign-in) gets nothing.
    const elsewhere = await follow(callback, new TestBrowser());
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('location')).toBeNull();
    const consentPage = await follow(callback);
    expect(consentPage.status).toBe(200);
    const page = await consentPage.text();
    expect(page).toContain('Consentire l’accesso?');
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? '';
    const consented = await follow(
      (await browser.submit(`${service.url}${action}`, page, { decision: 'allow' })).headers.get('location')!,
    );
    const appCallback = new URL(consented.headers.get('location') ?? '');
    expect(`${appCallback.origin}${appCallback.pathname}`).toBe(REDIRECT);
    expect(appCallback.searchParams.get('state')).toBe('app-state');

    const token = await service.redeemCode({
      code: appCallback.searchParams.get('code') ?? '',
      verifier,
      clientId,
      redirectUri: REDIRECT,
    });
    const accessToken = ((await token.json()) as { access_token: string }).access_token;
    const me = await service.graphql('{ me { fiscalCode givenName familyName } }', { token: accessToken });
    expect(me.data?.me).toEqual({ fiscalCode: NEW_CITIZEN, givenName: 'Maria', familyName: 'Russo' });

    await expect
      .poll(
        () => events.some((event) => event.type === 'citizen.registered' && event.subject === NEW_CITIZEN),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
  });

  it('refuses an upstream ID token made for another sign-in (wrong nonce): no account, no code for the app', async () => {
    const OTHER = 'VRDLCU85C10F205W';
    upstream.signInAs({
      fiscalNumber: `TINIT-${OTHER}`,
      given_name: 'Luca',
      family_name: 'Verdi',
      nonce: 'from-another-sign-in',
    });
    try {
      const clientId = await registerApp('Portal 2');
      const authorize = authorizeUrl(service.url, {
        clientId,
        redirectUri: REDIRECT,
        scope: 'openid profile',
        state: 'app-state',
        verifier: generateOneTimeToken(),
      });
      const browser = new TestBrowser();
      const follow = (start: string | URL) =>
        browser.followSignIn(start, { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT });
      const { callback } = await signInUpstream(follow, authorize);
      const answer = await follow(callback);
      expect(answer.status).toBe(502);
      expect(answer.headers.get('location')).toBeNull();
      expect(await service.identity.database.forkUnscoped().count(CitizenEntity, { fiscalCode: OTHER })).toBe(
        0,
      );
    } finally {
      upstream.signInAs({ fiscalNumber: `TINIT-${NEW_CITIZEN}`, given_name: 'Maria', family_name: 'Russo' });
    }
  });
});
