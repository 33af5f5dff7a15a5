import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '@sportello/hub';
import {
  authorizationUrl,
  clientCredentialsToken,
  codeFromRedirect,
  DEMO_APP,
  discover,
  exchangeCode,
  OAuthError,
  pkcePair,
  request,
  SportelloRequestError,
  subscribe,
  type Discovery,
} from '../docs/examples/client.js';
import { devToken } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { SignInBrowser } from './support/oauth-flow.js';

const HOUSEHOLDS = 120;

/**
 * What a citizen does in the browser during the demo sign-in: the authorize URL (with
 * `login_hint`, demo mode) shows the consent page; "Allow" posts it and the browser is redirected
 * to the app with a code.
 */
async function citizenAllows(url: URL): Promise<URL> {
  const browser = new SignInBrowser(url.origin);
  const answer = await browser.follow(url, { fields: { decision: 'allow' } });
  expect(browser.pages.some((page) => page.includes('Consentire l’accesso?'))).toBe(true);
  expect([302, 303]).toContain(answer.status);
  return new URL(answer.headers.get('location')!);
}

/** The example client of docs/examples/client.ts, used as a third-party developer would. */
describe('the third-party client example', () => {
  let dataDir: string;
  let hub: HubProcess;
  let api: string;
  let issuer: string;
  let discovery: Discovery;
  const people = generatePopulation({ households: HOUSEHOLDS }).people;
  const head = people.find((person) => person.relationship === 'head')!;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sportello-client-example-'));
    hub = startHubProcess('embedded', {
      PORT: '0',
      SMTP_PORT: '0',
      DATA_DIR: dataDir,
      DEMO_HOUSEHOLDS: String(HOUSEHOLDS),
    });
    const output = await hub.waitFor('Sportello is up.');
    api = /GraphQL API\s+(\S+)/.exec(output)![1]!;
    issuer = /identity \(OIDC\)\s+(\S+)\/\.well-known/.exec(output)![1]!;
    discovery = await discover(issuer);
  });

  afterAll(async () => {
    await hub?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('discovers the endpoints and gets an app token by client credentials', async () => {
    expect(discovery.token_endpoint).toBe(`${issuer}/oauth/token`);
    const token = await clientCredentialsToken(discovery, DEMO_APP, ['openid', 'tributi']);
    expect(token.token_type).toBe('Bearer');
    expect(token.scope).toBe('openid tributi');
    expect(token.expires_in).toBeGreaterThan(0);

    await expect(
      clientCredentialsToken(discovery, { clientId: DEMO_APP.clientId, clientSecret: 'wrong' }),
    ).rejects.toMatchObject({ error: 'invalid_client', status: 401 });
    await expect(clientCredentialsToken(discovery, DEMO_APP, ['openid', 'admin'])).rejects.toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('reads public data with the app token, and no citizen without their grant', async () => {
    const token = await clientCredentialsToken(discovery, DEMO_APP);
    const open = await request<{
      emergencyNumbers: Array<{ number: string }>;
      activeAlerts: { nodes: unknown[] };
    }>(api, '{ emergencyNumbers { number label } activeAlerts { nodes { id colour } } }', {
      token: token.access_token,
    });
    expect(open.errors).toEqual([]);
    expect(open.data?.emergencyNumbers.map((entry) => entry.number)).toContain('112');

    const personal = await request<{ citizen: unknown }>(
      api,
      `{ citizen(fiscalCode: "${head.fiscalCode}") { givenName } }`,
      { token: token.access_token },
    );
    expect(personal.data?.citizen ?? null).toBeNull();
    expect(personal.errors[0]?.extensions?.code).toMatch(/^(FORBIDDEN|UNAUTHENTICATED)$/);
  });

  it('acts for a citizen after their consent, within the scopes they granted', async () => {
    const { verifier, challenge } = pkcePair();
    const state = randomBytes(16).toString('base64url');
    const url = authorizationUrl(discovery, {
      clientId: DEMO_APP.clientId,
      redirectUri: DEMO_APP.redirectUri,
      scopes: ['openid', 'profile', 'tributi'],
      state,
      challenge,
      loginHint: head.fiscalCode,
    });
    const redirect = await citizenAllows(url);
    expect(redirect.origin + redirect.pathname).toBe(DEMO_APP.redirectUri);
    expect(() => codeFromRedirect(redirect, 'another state')).toThrow(OAuthError);
    const code = codeFromRedirect(redirect, state);

    const token = await exchangeCode(discovery, DEMO_APP, {
      code,
      verifier,
      redirectUri: DEMO_APP.redirectUri,
    });
    expect(token.scope).toBe('openid profile tributi');

    const mine = await request<{
      me: { fiscalCode: string; givenName: string; paymentPositions: { totalCount: number } };
    }>(api, '{ me { fiscalCode givenName paymentPositions(first: 5) { totalCount } } }', {
      token: token.access_token,
    });
    expect(mine.errors).toEqual([]);
    expect(mine.data?.me.fiscalCode).toBe(head.fiscalCode);
    expect(mine.data?.me.givenName).toBe(head.givenName);
    expect(mine.data?.me.paymentPositions.totalCount).toBeGreaterThan(0);

    // Anagrafe was not granted: that part is refused, the rest of the answer stays.
    const beyond = await request<{ me: { givenName: string; residence: unknown } }>(
      api,
      '{ me { givenName residence { address { street } } } }',
      { token: token.access_token },
    );
    expect(beyond.data?.me.givenName).toBe(head.givenName);
    expect(beyond.data?.me.residence ?? null).toBeNull();
    expect(beyond.errors[0]?.extensions?.code).toBe('FORBIDDEN');

    // A code works once.
    await expect(
      exchangeCode(discovery, DEMO_APP, { code, verifier, redirectUri: DEMO_APP.redirectUri }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('turns refused requests into errors with their code, reason and limit', async () => {
    const bad = await request(api, '{ me { givenName } }', { token: 'not-a-token' }).catch(
      (error: unknown) => error,
    );
    expect(bad).toBeInstanceOf(SportelloRequestError);
    expect(bad).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((bad as SportelloRequestError).errors[0]?.extensions?.reason).toBe('MALFORMED_TOKEN');

    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: emergencyNumbers { number }`).join(' ');
    const tooWide = await request(api, `{ ${aliases} }`).catch((error: unknown) => error);
    expect(tooWide).toBeInstanceOf(SportelloRequestError);
    const limitError = (tooWide as SportelloRequestError).errors.find(
      (error) => error.extensions?.limit?.name === 'maxAliases',
    );
    expect(limitError?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(limitError?.extensions?.limit).toMatchObject({ max: 30, actual: 40 });
  });

  it('follows public alerts live over graphql-ws', async () => {
    const received: Array<{ alertChanged: { kind: string; alert: { id: string; colour: string } } }> = [];
    const errors: unknown[] = [];
    const comune = generatePopulation({ households: HOUSEHOLDS }).comune.istat;
    const stop = subscribe<{ alertChanged: { kind: string; alert: { id: string; colour: string } } }>(
      api,
      'subscription { alertChanged { kind alert { id colour } } }',
      { comune, onData: (data) => received.push(data), onError: (error) => errors.push(error) },
    );
    try {
      // The subscription is in place once the gateway counts it.
      const metricsUrl = api.replace(/\/graphql$/, '/metrics');
      await expect
        .poll(
          async () =>
            /sportello_gateway_open_subscriptions(?:\{[^}]*\})? ([1-9]\d*)/.test(
              await (await fetch(metricsUrl)).text(),
            ),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);

      const identity = issuer;
      const staff = await devToken(identity, { kind: 'staff', office: 'civil-protection' });
      const now = Date.now();
      const issued = await request<{ issueAlert: { id: string } }>(
        api,
        'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }',
        {
          token: staff.access_token,
          variables: {
            input: {
              hazard: 'THUNDERSTORMS',
              colour: 'ORANGE',
              wholeComune: true,
              validFrom: new Date(now - 60_000).toISOString(),
              validUntil: new Date(now + 3_600_000).toISOString(),
              instructions: 'Evitare i sottopassi e le zone vicine al fiume fino a fine allerta.',
            },
          },
        },
      );
      expect(issued.errors).toEqual([]);
      const id = issued.data!.issueAlert.id;
      await expect
        .poll(() => received.map((event) => event.alertChanged.alert.id), { timeout: 10_000 })
        .toContain(id);
      expect(received.find((event) => event.alertChanged.alert.id === id)?.alertChanged).toEqual({
        kind: 'ISSUED',
        alert: { id, colour: 'ORANGE' },
      });
      expect(errors).toEqual([]);
    } finally {
      await stop();
    }
  });
});
