import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { DASHBOARD_CLIENT_ID } from '../seed/index.js';
import { hiddenFields, TestBrowser } from '../test-support/browser.js';
import {
  CHIARA,
  DASHBOARD_REDIRECT,
  MARIO,
  startIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';
const ISSUER = 'http://identity.test';

/** Where a page's form posts, on the test service. */
function actionOf(page: string, url: string): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  expect(action).toMatch(/^\/oauth\/interaction\/[A-Za-z0-9_-]+$/);
  return `${url}${action}`;
}

/**
 * The login and consent steps of a sign-in belong to the browser that started it: whoever learns
 * the interaction id (it travels as the upstream `state`, so it shows in URLs and logs) gets no
 * code for someone else's session.
 */
describe('sign-in bound to the browser that started it', () => {
  let service: TestIdentity;
  let admin: string;

  beforeAll(async () => {
    service = await startIdentity();
    admin = await service.devToken({ subject: 'admin.neri' });
  });
  afterAll(() => service?.close());

  /** A new third-party app: nobody has granted it anything yet, so consent is asked. */
  async function registerApp(): Promise<string> {
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Bus times", scopes: [OPENID, PROFILE], redirectUris: ["${REDIRECT}"], confidential: false }) { client { clientId } } }`,
      { token: admin },
    );
    return (answer.data?.registerApiClient as { client: { clientId: string } }).client.clientId;
  }

  function authorizeUrl(options: { client: string; redirect?: string; hint?: string }): string {
    return `${service.url}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: options.client,
      redirect_uri: options.redirect ?? REDIRECT,
      scope: options.redirect === undefined ? 'openid profile' : 'openid',
      state: 'app-state',
      code_challenge: s256Challenge(generateOneTimeToken()),
      code_challenge_method: 'S256',
      ...(options.hint === undefined ? {} : { login_hint: options.hint }),
    })}`;
  }

  /** Follows a browser's sign-in to the page it stops at (development login or consent). */
  const pageOf = async (browser: TestBrowser, start: string) =>
    (await browser.followSignIn(start, { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT })).text();

  /** The victim signs in and is shown the consent page. */
  async function victimAtConsent(): Promise<{ victim: TestBrowser; page: string; action: string }> {
    const victim = new TestBrowser();
    const page = await pageOf(victim, authorizeUrl({ client: await registerApp(), hint: MARIO }));
    expect(page).toContain('Consentire l’accesso?');
    return { victim, page, action: actionOf(page, service.url) };
  }

  /** Posts a sign-in form from outside any browser (`cookie` only when given). */
  const post = (action: string, fields: Record<string, string>, cookie?: string) =>
    fetch(action, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie === undefined ? {} : { cookie }),
      },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });

  it('sets HttpOnly, SameSite=Lax cookies scoped to the sign-in when it starts', async () => {
    const response = await fetch(authorizeUrl({ client: await registerApp(), hint: MARIO }), {
      redirect: 'manual',
    });
    const cookies = response.headers.getSetCookie();
    const interaction = cookies.find((cookie) => cookie.startsWith('_interaction='));
    expect(interaction).toBeDefined();
    expect(interaction).toMatch(/path=\/oauth\/interaction\/[A-Za-z0-9_-]+;/i);
    for (const cookie of cookies) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
      expect(cookie.toLowerCase()).not.toContain('secure');
    }
  });

  it('refuses the consent of someone holding only the interaction id, and the victim can still allow', async () => {
    const { victim, page, action } = await victimAtConsent();
    const { csrf } = hiddenFields(page);
    expect(csrf).toBeDefined();

    const hijack = await post(action, { decision: 'allow' });
    expect(hijack.status).toBe(403);
    expect(hijack.headers.get('location')).toBeNull();
    expect(hijack.headers.get('content-type')).toContain('text/html');
    expect(await hijack.text()).toContain('not sent by the browser that started it');

    // Even with the form's token copied from the victim's page, no cookie: refused.
    const withToken = await post(action, { csrf: csrf!, decision: 'allow' });
    expect(withToken.status).toBe(403);

    const allowed = await victim.submit(action, page, { decision: 'allow' });
    expect(allowed.status).toBe(303);
    const back = await victim.followSignIn(allowed.headers.get('location')!, {
      serviceUrl: service.url,
      issuer: ISSUER,
      stopAt: REDIRECT,
    });
    const location = new URL(back.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(location.searchParams.get('state')).toBe('app-state');
  });

  it("refuses an attacker's own browser cookie and form token on the victim's interaction", async () => {
    const { action } = await victimAtConsent();
    const attacker = new TestBrowser();
    const own = await pageOf(attacker, authorizeUrl({ client: await registerApp(), hint: CHIARA }));
    const hijack = await attacker.submit(action, own, { decision: 'allow' });
    expect(hijack.status).toBe(403);
    expect(hijack.headers.get('location')).toBeNull();
  });

  it('refuses a consent post from the right browser without the form token (cross-site request)', async () => {
    const { victim, page, action } = await victimAtConsent();
    const forged = await victim.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'allow' }).toString(),
    });
    expect(forged.status).toBe(403);
    const wrongToken = await victim.submit(action, page, {
      csrf: generateOneTimeToken(),
      decision: 'allow',
    });
    expect(wrongToken.status).toBe(403);
  });

  it('refuses a development login posted without the browser that started it', async () => {
    const browser = new TestBrowser();
    const page = await pageOf(browser, authorizeUrl({ client: await registerApp() }));
    const action = actionOf(page, service.url);
    const elsewhere = await post(action, { csrf: hiddenFields(page).csrf!, fiscal_code: MARIO });
    expect(elsewhere.status).toBe(403);
    const staff = new TestBrowser();
    const dashboard = await pageOf(
      staff,
      authorizeUrl({ client: DASHBOARD_CLIENT_ID, redirect: DASHBOARD_REDIRECT }),
    );
    expect(dashboard).toContain('name="staff_username"');
    const noToken = await staff.fetch(actionOf(dashboard, service.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ staff_username: 'admin.neri' }).toString(),
    });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.get('location')).toBeNull();

    const signedIn = await browser.submit(action, page, { fiscal_code: MARIO });
    expect(signedIn.status).toBe(303);
    const consent = await pageOf(browser, signedIn.headers.get('location')!);
    expect(consent).toContain('Consentire l’accesso?');
  });

  it('marks the cookies Secure when the public origin is https', async () => {
    const secure = await startIdentity({ tokenIssuer: 'https://identity.test' });
    try {
      const response = await fetch(
        `${secure.url}/oauth/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: DASHBOARD_CLIENT_ID,
          redirect_uri: DASHBOARD_REDIRECT,
          code_challenge: s256Challenge(generateOneTimeToken()),
          code_challenge_method: 'S256',
        })}`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(303);
      const cookies = response.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie.toLowerCase()).toMatch(/; secure(;|$)/);
    } finally {
      await secure.close();
    }
  });
});
