import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { TestBrowser } from '../test-support/browser.js';
import { MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';

/** The consent page says what the app may do in the citizen's language, not as scope ids. */
describe('the consent page', () => {
  let service: TestIdentity;
  let clientId: string;

  beforeAll(async () => {
    service = await startIdentity();
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Bus times", scopes: [OPENID, PROFILE, TRIBUTI], redirectUris: ["${REDIRECT}"], confidential: false }) { client { clientId } } }`,
      { token: await service.devToken({ subject: 'admin.neri' }) },
    );
    clientId = (answer.data?.registerApiClient as { client: { clientId: string } }).client.clientId;
  });
  afterAll(() => service?.close());

  async function consentPage(headers: Record<string, string>, uiLocales?: string): Promise<string> {
    const response = await new TestBrowser().followSignIn(
      `${service.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid profile tributi',
        code_challenge: s256Challenge(generateOneTimeToken()),
        code_challenge_method: 'S256',
        login_hint: MARIO,
        ...(uiLocales === undefined ? {} : { ui_locales: uiLocales }),
      })}`,
      { serviceUrl: service.url, issuer: 'http://identity.test', stopAt: REDIRECT, headers },
    );
    expect(response.status).toBe(200);
    return response.text();
  }

  it('is in Italian by default, naming what each scope allows', async () => {
    const page = await consentPage({});
    expect(page).toContain('<html lang="it">');
    expect(page).toContain('Consentire l’accesso?');
    expect(page).toContain('Vedere i tuoi pagamenti dovuti e le ricevute');
    expect(page).toContain('Consenti</button>');
    expect(page).not.toContain('<li>tributi</li>');
  });

  it("follows the browser's preferred language among Italian, English and German", async () => {
    const german = await consentPage({ 'accept-language': 'de-CH,de;q=0.9,en;q=0.8' });
    expect(german).toContain('Zugriff erlauben?');
    expect(german).toContain('Ihre fälligen Zahlungen und Quittungen sehen');
    const english = await consentPage({ 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5,de;q=0.2' });
    expect(english).toContain('Allow access?');
    expect(english).toContain('See your payments due and receipts');
    const unknown = await consentPage({ 'accept-language': 'fr-FR,es;q=0.5' });
    expect(unknown).toContain('Consentire l’accesso?');
  });

  it('prefers the languages the app asks for with ui_locales', async () => {
    const page = await consentPage({ 'accept-language': 'de' }, 'fr en');
    expect(page).toContain('Allow access?');
    expect(page).toContain('Read your name, email and preferred language');
  });
});
