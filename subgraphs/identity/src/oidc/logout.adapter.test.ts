import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { TestBrowser } from '../test-support/browser.js';
import { MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';
const ISSUER = 'http://identity.test';

/**
 * RP-initiated logout (`/oauth/logout`): Sportello's pages in the person's language (Italian unless
 * the app's `ui_locales` or the browser asks for English or German), and the session really ending.
 */
describe.each(DATABASE_DRIVERS)('signing out at the provider on %s', (driver) => {
  let service: TestIdentity;
  let clientId: string;

  beforeAll(async () => {
    service = await startIdentity({ tokenIssuer: ISSUER }, driver);
    const admin = await service.devToken({ subject: 'admin.neri' });
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Orari bus", scopes: [OPENID], redirectUris: ["${REDIRECT}"], confidential: false }) { client { clientId } } }`,
      { token: admin },
    );
    clientId = (answer.data?.registerApiClient as { client: { clientId: string } }).client.clientId;
  });
  afterAll(() => service?.close());

  /** The issuer's address as the test service answers it. */
  const local = (url: string) => new URL(url, ISSUER).href.replace(ISSUER, service.url);

  /** The app asks for a sign-in in `browser`: where it ends (the app's redirect, or a page). */
  function authorize(browser: TestBrowser, fields?: Record<string, string>, hint?: string) {
    const start = `${ISSUER}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'in',
      code_challenge: s256Challenge(generateOneTimeToken()),
      code_challenge_method: 'S256',
      ...(hint === undefined ? {} : { login_hint: hint }),
    })}`;
    return browser.followSignIn(start, { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT, fields });
  }

  /** Mario signed in to the app in a browser of his own. */
  async function signedIn(): Promise<TestBrowser> {
    const browser = new TestBrowser();
    const answer = await authorize(browser, { decision: 'allow' }, MARIO);
    expect(answer.headers.get('location')).toMatch(/^http:\/\/localhost:5173\/callback\?code=/);
    return browser;
  }

  /** The confirmation page the app's logout request shows, and its form's target. */
  async function confirmation(
    browser: TestBrowser,
    query: Record<string, string>,
    headers: Record<string, string> = {},
  ) {
    const answer = await browser.fetch(local(`/oauth/logout?${new URLSearchParams(query)}`), { headers });
    expect(answer.status).toBe(200);
    const page = await answer.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? '';
    return { answer, page, action: local(action) };
  }

  it('asks in Italian, with the provider form token, and signs the browser out', async () => {
    const browser = await signedIn();
    // While signed in, the app gets a code at once.
    expect((await authorize(browser)).headers.get('location')).toMatch(/\?code=/);

    const { answer, page, action } = await confirmation(browser, {
      client_id: clientId,
      post_logout_redirect_uri: REDIRECT,
      state: 'bye',
    });
    expect(page).toContain('<html lang="it">');
    expect(page).toContain('Uscire da Sportello?');
    expect(page).toContain('<strong>Orari bus</strong>');
    expect(page).toContain('Sì, esci');
    expect(page).toContain('No, resta collegato');
    expect(page).toMatch(/<input type="hidden" name="xsrf" value="[^"]+"/);
    expect(page).not.toMatch(/sign-out|Logout Request/i);
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer.headers.get('x-frame-options')).toBe('DENY');

    const out = await browser.submit(action, page, { logout: 'yes' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(`${REDIRECT}?state=bye`);

    // Signed out: the next sign-in asks who it is again.
    const again = await authorize(browser);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Accesso di prova');
  });

  it('refuses a confirmation without the form token, and stays signed in', async () => {
    const browser = await signedIn();
    const { action } = await confirmation(browser, { client_id: clientId });
    const forged = await browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout: 'yes', xsrf: 'forged' }).toString(),
    });
    expect(forged.status).toBe(400);
    expect((await authorize(browser)).headers.get('location')).toMatch(/\?code=/);
  });

  it('says in Italian that the person signed out, of Sportello or of the app alone', async () => {
    const browser = await signedIn();
    let { page, action } = await confirmation(browser, {});
    let out = await browser.submit(action, page, { logout: 'yes' });
    expect(out.status).toBe(303);
    let success = await browser.fetch(local(out.headers.get('location') ?? ''));
    expect(success.status).toBe(200);
    let text = await success.text();
    expect(text).toContain('<html lang="it">');
    expect(text).toContain('Sei uscito da Sportello.');
    expect(text).not.toMatch(/Sign-out Success/i);

    // "No": only the app's part of the session ends.
    const other = await signedIn();
    ({ page, action } = await confirmation(other, { client_id: clientId }));
    out = await other.submit(action, page, {});
    success = await other.fetch(local(out.headers.get('location') ?? ''));
    text = await success.text();
    expect(text).toContain('Sei uscito da <strong>Orari bus</strong>.');
  });

  /** Confirms (`logout=yes`, or "no") in `browser`, and the signed-out page the provider sends it to. */
  async function signOut(
    browser: TestBrowser,
    action: string,
    page: string,
    fields: Record<string, string>,
    headers: Record<string, string>,
  ) {
    const out = await browser.submit(action, page, fields);
    expect(out.status).toBe(303);
    const success = await browser.fetch(local(out.headers.get('location') ?? ''), { headers });
    expect(success.status).toBe(200);
    return success.text();
  }

  it("asks and says it in the language the app's ui_locales names, before the browser's", async () => {
    const browser = await signedIn();
    const headers = { 'accept-language': 'de-DE,de;q=0.9' };
    const { page, action } = await confirmation(
      browser,
      { client_id: clientId, ui_locales: 'fr en' },
      headers,
    );
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Sign out of Sportello?');
    expect(page).toContain('<strong>Orari bus</strong> is asking.');
    expect(page).toContain('Yes, sign out</button>');
    expect(page).toContain('No, stay signed in</button>');
    // The signed-out page, reached without ui_locales, goes on in English.
    const text = await signOut(browser, action, page, { logout: 'yes' }, headers);
    expect(text).toContain('<html lang="en">');
    expect(text).toContain('You have signed out of Sportello.');
    expect(text).toContain('You can close this page.');
    expect((await authorize(browser)).status).toBe(200);
  });

  it("follows the browser's preferred language, and falls back to Italian", async () => {
    const browser = await signedIn();
    const german = { 'accept-language': 'fr-CH,de;q=0.9,en;q=0.8' };
    const { page, action } = await confirmation(browser, { client_id: clientId }, german);
    expect(page).toContain('<html lang="de">');
    expect(page).toContain('Von Sportello abmelden?');
    expect(page).toContain('<strong>Orari bus</strong> fragt danach.');
    expect(page).toContain('Ja, abmelden</button>');
    // "No": out of the app alone, said in German.
    const text = await signOut(browser, action, page, {}, german);
    expect(text).toContain('<html lang="de">');
    expect(text).toContain('Sie haben sich von <strong>Orari bus</strong> abgemeldet.');

    const other = await signedIn();
    const unknown = { 'accept-language': 'fr-FR,es;q=0.5' };
    const italian = await confirmation(other, { client_id: clientId, ui_locales: 'fr' }, unknown);
    expect(italian.page).toContain('<html lang="it">');
    expect(italian.page).toContain('Uscire da Sportello?');
    const out = await signOut(other, italian.action, italian.page, { logout: 'yes' }, unknown);
    expect(out).toContain('Sei uscito da Sportello.');

    // A signed-out page reached with no confirmation before it speaks the browser's language.
    const page2 = async (language: string) =>
      (await fetch(local('/oauth/logout/success'), { headers: { 'accept-language': language } })).text();
    expect(await page2('en-GB')).toContain('You have signed out of Sportello.');
    expect(await page2('de')).toContain('Sie haben sich von Sportello abgemeldet.');
    expect(await page2('fr')).toContain('Sei uscito da Sportello.');
  });
});
