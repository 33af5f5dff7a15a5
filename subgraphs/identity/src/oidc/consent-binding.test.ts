import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { DASHBOARD_CLIENT_ID } from '../domain/seed.js';
import { hiddenFields, TestBrowser } from '../test-support/browser.js';
import {
  CHIARA,
  DASHBOARD_REDIRECT,
  MARIO,
  startIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';

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

  /** The victim signs in and is shown the consent page. */
  async function victimAtConsent(): Promise<{ victim: TestBrowser; page: string }> {
    const victim = new TestBrowser();
    const response = await victim.fetch(authorizeUrl({ client: await registerApp(), hint: MARIO }));
    const page = await response.text();
    expect(page).toContain('Consentire l’accesso?');
    return { victim, page };
  }

  const consent = (fields: Record<string, string>, cookie?: string) =>
    service.post('/oauth/consent', fields, cookie === undefined ? {} : { cookie });

  it('sets an HttpOnly, SameSite=Lax cookie scoped to the OAuth endpoints when a sign-in starts', async () => {
    const response = await fetch(authorizeUrl({ client: await registerApp(), hint: MARIO }), {
      redirect: 'manual',
    });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^sportello_interaction=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/oauth');
    expect(cookie).not.toContain('Secure');
  });

  it('refuses the consent of someone holding only the interaction id, and the victim can still allow', async () => {
    const { victim, page } = await victimAtConsent();
    const { pending, csrf } = hiddenFields(page);
    expect(pending).toBeDefined();

    const hijack = await consent({ pending: pending!, decision: 'allow' });
    expect(hijack.status).toBe(403);
    expect(hijack.headers.get('location')).toBeNull();
    expect(hijack.headers.get('content-type')).toContain('text/html');
    expect(await hijack.text()).toContain('not sent by the browser that started it');

    // Even with the form's token copied from the victim's page, no cookie: refused.
    const withToken = await consent({ pending: pending!, csrf: csrf!, decision: 'allow' });
    expect(withToken.status).toBe(403);

    const allowed = await victim.submit(`${service.url}/oauth/consent`, page, { decision: 'allow' });
    expect(allowed.status).toBe(302);
    const location = new URL(allowed.headers.get('location') ?? '');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toBe('app-state');
  });

  it("refuses an attacker's own browser cookie and form token on the victim's interaction", async () => {
    const { page } = await victimAtConsent();
    const attacker = new TestBrowser();
    const own = await (
      await attacker.fetch(authorizeUrl({ client: await registerApp(), hint: CHIARA }))
    ).text();
    const hijack = await attacker.submit(`${service.url}/oauth/consent`, own, {
      pending: hiddenFields(page).pending!,
      decision: 'allow',
    });
    expect(hijack.status).toBe(403);
    expect(hijack.headers.get('location')).toBeNull();
  });

  it('refuses a consent post from the right browser without the form token (cross-site request)', async () => {
    const { victim, page } = await victimAtConsent();
    const { pending } = hiddenFields(page);
    const forged = await victim.fetch(`${service.url}/oauth/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pending: pending!, decision: 'allow' }).toString(),
    });
    expect(forged.status).toBe(403);
    const wrongToken = await victim.submit(`${service.url}/oauth/consent`, page, {
      csrf: generateOneTimeToken(),
      decision: 'allow',
    });
    expect(wrongToken.status).toBe(403);
  });

  it('refuses a development login posted without the browser that started it', async () => {
    const browser = new TestBrowser();
    const page = await (await browser.fetch(authorizeUrl({ client: await registerApp() }))).text();
    const { pending, csrf } = hiddenFields(page);
    const elsewhere = await service.post('/oauth/login', {
      pending: pending!,
      csrf: csrf!,
      fiscal_code: MARIO,
    });
    expect(elsewhere.status).toBe(403);
    const staff = new TestBrowser();
    const dashboard = await (
      await staff.fetch(authorizeUrl({ client: DASHBOARD_CLIENT_ID, redirect: DASHBOARD_REDIRECT }))
    ).text();
    expect(dashboard).toContain('name="staff_username"');
    const noToken = await service.post(
      '/oauth/login',
      { pending: hiddenFields(dashboard).pending!, staff_username: 'admin.neri' },
      { cookie: staff.cookieHeader() },
    );
    expect(noToken.status).toBe(403);
    expect(noToken.headers.get('location')).toBeNull();

    const signedIn = await browser.submit(`${service.url}/oauth/login`, page, { fiscal_code: MARIO });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('Consentire l’accesso?');
  });

  it('marks the cookie Secure when the public origin is https', async () => {
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
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()[0]).toMatch(/; Secure(;|$)/);
    } finally {
      await secure.close();
    }
  });
});
