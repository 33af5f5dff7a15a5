import type { EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { CitizenEntity } from '../entities/citizen.entity.js';
import { startFakeUpstream } from '../test-support/fake-upstream.js';
import { TestBrowser } from '../test-support/browser.js';
import { startIdentity, type TestIdentity } from '../test-support/harness.js';

const NEW_CITIZEN = 'RSSMRA80B01F2LRC';
const ISSUER = 'http://identity.test';
const REDIRECT = 'http://localhost:5173/callback';
let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
let service: TestIdentity;

beforeAll(async () => {
  upstream = await startFakeUpstream({
    clientId: 'sportello-identity',
    clientSecret: 'upstream-secret',
    user: { fiscalNumber: `TINIT-${NEW_CITIZEN}`, given_name: 'Maria', family_name: 'Russo' },
  });
  service = await startIdentity({
    mode: 'production',
    upstream: {
      issuer: upstream.issuer,
      clientId: 'sportello-identity',
      clientSecret: 'upstream-secret',
      scope: 'openid profile',
      fiscalCodeClaim: 'fiscalNumber',
    },
  });
});
afterAll(async () => {
  await service?.close();
  await upstream?.close();
});

describe('SPID/CIE brokering through an upstream OpenID provider', () => {
  it('signs a new citizen in upstream, opens their account and gives the app a token after consent', async () => {
    const events: EventEnvelope[] = [];
    await service.bus.listen('sportello.>', (event) => events.push(event));
    const admin = await service.identity.tokens.issue({
      kind: 'staff',
      comune: '001272',
      username: 'admin.neri',
      offices: ['admin'],
    });
    const registered = await service.graphql(
      'mutation { registerApiClient(input: { name: "Portal", scopes: [OPENID, PROFILE], redirectUris: ["http://localhost:5173/callback"], confidential: false }) { client { clientId } } }',
      { token: admin.accessToken },
    );
    const clientId = (registered.data?.registerApiClient as { client: { clientId: string } }).client.clientId;

    const verifier = generateOneTimeToken();
    const authorize = new URL(`${service.url}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'http://localhost:5173/callback',
      scope: 'openid profile',
      state: 'app-state',
      code_challenge: s256Challenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const browser = new TestBrowser();
    const follow = (start: string | URL, from = browser, fields?: Record<string, string>) =>
      from.followSignIn(start, { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT, fields });
    const toUpstream = await follow(authorize);
    expect(toUpstream.status).toBe(302);
    const upstreamUrl = new URL(toUpstream.headers.get('location') ?? '');
    expect(upstreamUrl.origin).toBe(upstream.issuer);

    const back = await fetch(upstreamUrl, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location') ?? '');
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

    const token = await service.post('/oauth/token', {
      grant_type: 'authorization_code',
      code: appCallback.searchParams.get('code') ?? '',
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: 'http://localhost:5173/callback',
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
      const admin = await service.identity.tokens.issue({
        kind: 'staff',
        comune: '001272',
        username: 'admin.neri',
        offices: ['admin'],
      });
      const registered = await service.graphql(
        'mutation { registerApiClient(input: { name: "Portal 2", scopes: [OPENID, PROFILE], redirectUris: ["http://localhost:5173/callback"], confidential: false }) { client { clientId } } }',
        { token: admin.accessToken },
      );
      const clientId = (registered.data?.registerApiClient as { client: { clientId: string } }).client
        .clientId;
      const authorize = new URL(`${service.url}/oauth/authorize`);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: 'http://localhost:5173/callback',
        scope: 'openid profile',
        state: 'app-state',
        code_challenge: s256Challenge(generateOneTimeToken()),
        code_challenge_method: 'S256',
      }).toString();
      const browser = new TestBrowser();
      const follow = (start: string | URL) =>
        browser.followSignIn(start, { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT });
      const toUpstream = await follow(authorize);
      expect(toUpstream.status).toBe(302);
      const back = await fetch(new URL(toUpstream.headers.get('location') ?? ''), { redirect: 'manual' });
      const answer = await follow(back.headers.get('location') ?? '');
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
