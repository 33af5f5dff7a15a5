import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '@sportello/hub';
import {
  authorizationUrl,
  codeFromRedirect,
  DEMO_APP,
  discover,
  exchangeCode,
  pkcePair,
  request,
  type Discovery,
} from '../docs/examples/client.js';
import { startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 60;

/** A browser: keeps the cookies each origin sets and sends them back. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async fetch(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    this.jars.set(target.origin, jar);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie === '' ? {} : { cookie }) },
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }

  /**
   * Fetches `url` and follows identity's own redirects (its `/oauth/` steps on `issuer`): the
   * answer that leaves them (to the upstream, to the app) or that is a page.
   */
  async follow(url: URL | string, issuer: string): Promise<Response> {
    let answer = await this.fetch(url);
    for (let step = 0; step < 10; step += 1) {
      const location = answer.headers.get('location');
      if (location === null) return answer;
      const next = new URL(location, issuer);
      if (next.origin !== new URL(issuer).origin || !next.pathname.startsWith('/oauth/')) return answer;
      answer = await this.fetch(next);
    }
    throw new Error('identity kept redirecting');
  }

  /** Submits the page's form (its hidden fields and what the person typed) to `action`. */
  submit(action: URL, page: string, typed: Record<string, string>): Promise<Response> {
    const hidden = Object.fromEntries(
      [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((match) => [
        match[1]!,
        match[2]!.replace(/&amp;/g, '&'),
      ]),
    );
    return this.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hidden, ...typed }).toString(),
    });
  }
}

const locationOf = (response: Response) => {
  expect(response.status).toBeGreaterThanOrEqual(300);
  expect(response.status).toBeLessThan(400);
  return new URL(response.headers.get('location')!);
};

/**
 * `npm start` and `npm run start:distributed` (the demo upstream is on by default): people sign in
 * through the demo SPID-like provider, as in production.
 */
describe.each(['embedded', 'distributed'] as const)('the %s hub with the demo upstream', (mode) => {
  let hub: RunningHub;
  let api: string;
  let issuer: string;
  let upstream: string;
  let discovery: Discovery;
  let population: ReturnType<typeof generatePopulation>;
  let citizen: ReturnType<typeof generatePopulation>['people'][number];

  beforeAll(async () => {
    hub = await startHub(mode, { households: HOUSEHOLDS, env: { DEMO_UPSTREAM: 'true' } });
    population = generatePopulation({ households: HOUSEHOLDS, istat: hub.comune });
    citizen = population.people.find((person) => person.relationship === 'head')!;
    const output = hub.process.output();
    api = hub.api;
    issuer = /identity \(OIDC\)\s+(\S+)\/\.well-known/.exec(output)![1]!;
    upstream = /^\s*demo SPID\/CIE\s+(https?:\/\/\S+)/m.exec(output)![1]!;
    discovery = await discover(issuer);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('signs a citizen in at the demo upstream, in Italian, and gives the app a token for them', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkcePair();
    const state = randomBytes(16).toString('base64url');
    const authorize = authorizationUrl(discovery, {
      clientId: DEMO_APP.clientId,
      redirectUri: DEMO_APP.redirectUri,
      scopes: ['openid', 'profile'],
      state,
      challenge,
    });

    // Identity sends the browser to the upstream, with PKCE.
    const toUpstream = locationOf(await browser.follow(authorize, issuer));
    expect(toUpstream.origin).toBe(upstream);
    expect(toUpstream.searchParams.get('code_challenge_method')).toBe('S256');

    const login = await browser.fetch(toUpstream);
    expect(login.status).toBe(200);
    const loginPage = await login.text();
    expect(loginPage).toContain('<html lang="it">');
    expect(loginPage).toContain('Codice fiscale');

    // The citizen types their fiscal code; the upstream sends them back to identity's callback.
    const back = locationOf(
      await browser.submit(new URL('/login', upstream), loginPage, { fiscal_code: citizen.fiscalCode }),
    );
    expect(`${back.origin}${back.pathname}`).toBe(`${issuer}/oauth/callback`);

    const consent = await browser.follow(back, issuer);
    expect(consent.status).toBe(200);
    const consentPage = await consent.text();
    expect(consentPage).toContain('Consentire l’accesso?');
    const action = /<form[^>]*action="([^"]+)"/.exec(consentPage)![1]!;
    const allowed = await browser.submit(new URL(action, issuer), consentPage, { decision: 'allow' });
    const toApp = locationOf(await browser.follow(new URL(locationOf(allowed), issuer), issuer));
    expect(`${toApp.origin}${toApp.pathname}`).toBe(DEMO_APP.redirectUri);

    const token = await exchangeCode(discovery, DEMO_APP, {
      code: codeFromRedirect(toApp, state),
      verifier,
      redirectUri: DEMO_APP.redirectUri,
    });
    const me = await request<{ me: { fiscalCode: string; givenName: string; familyName: string } }>(
      api,
      '{ me { fiscalCode givenName familyName } }',
      { token: token.access_token },
    );
    expect(me.errors).toEqual([]);
    expect(me.data?.me).toEqual({
      fiscalCode: citizen.fiscalCode,
      givenName: citizen.givenName,
      familyName: citizen.familyName,
    });
  });

  /** The dashboard's sign-in up to the demo upstream's login page. */
  async function dashboardLogin(browser: Browser) {
    const { verifier, challenge } = pkcePair();
    const authorize = authorizationUrl(discovery, {
      clientId: 'sportello-dashboard',
      redirectUri: `${issuer}/dashboard/callback`,
      scopes: ['openid'],
      state: 'dashboard-state',
      challenge,
    });
    const toUpstream = locationOf(await browser.follow(authorize, issuer));
    expect(toUpstream.origin).toBe(upstream);
    return { verifier, loginPage: await (await browser.fetch(toUpstream)).text() };
  }

  it('signs staff in to the dashboard by username at the demo upstream, with no list of citizens', async () => {
    const admin = population.staff.find((member) => member.offices.includes('admin'))!;
    const browser = new Browser();
    const { verifier, loginPage } = await dashboardLogin(browser);
    expect(loginPage).toContain('Nome utente');
    expect(loginPage).not.toContain('Codice fiscale');
    expect(loginPage).not.toContain(citizen.familyName);

    const back = locationOf(
      await browser.submit(new URL('/login', upstream), loginPage, { username: admin.username }),
    );
    const toDashboard = locationOf(await browser.follow(back, issuer));
    expect(`${toDashboard.origin}${toDashboard.pathname}`).toBe(`${issuer}/dashboard/callback`);
    const token = await exchangeCode(
      discovery,
      { clientId: 'sportello-dashboard' },
      {
        code: codeFromRedirect(toDashboard, 'dashboard-state'),
        verifier,
        redirectUri: `${issuer}/dashboard/callback`,
      },
    );
    const staff = await request<{ staffMembers: { nodes: Array<{ username: string }> } }>(
      api,
      '{ staffMembers(first: 100) { nodes { username } } }',
      { token: token.access_token },
    );
    expect(staff.errors).toEqual([]);
    expect(staff.data?.staffMembers.nodes.map((member) => member.username)).toContain(admin.username);
  });

  it('refuses someone the comune does not know as staff, whatever the upstream says', async () => {
    const browser = new Browser();
    const { loginPage } = await dashboardLogin(browser);
    const back = locationOf(
      await browser.submit(new URL('/login', upstream), loginPage, { username: 'nessuno.sconosciuto' }),
    );
    const refused = await browser.follow(back, issuer);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('location')).toBeNull();
  });
});
