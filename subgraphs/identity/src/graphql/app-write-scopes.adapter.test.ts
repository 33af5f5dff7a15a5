import { DATABASE_DRIVERS } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { TestBrowser } from '../test-support/browser.js';
import {
  CHIARA,
  MARIO,
  startIdentity,
  type GraphQLAnswer,
  type TestIdentity,
} from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';
const WRITE_SCOPES = ['profile:write', 'anagrafe:write', 'practices:write', 'notifications:write'];

/**
 * Each identity mutation an app may make in a citizen's name, with the write scope it needs. `done`
 * says the change is made; otherwise the answer only has to get past the scope check (verifyEmail
 * needs the token the notifier mails, so a made-up one is refused as bad input).
 */
const WRITES: ReadonlyArray<{ mutation: string; scope: string; query: string; done: boolean }> = [
  {
    mutation: 'setPreferredLanguage',
    scope: 'profile:write',
    query: 'mutation { setPreferredLanguage(language: EN) { fiscalCode } }',
    done: true,
  },
  {
    mutation: 'changeEmail',
    scope: 'profile:write',
    query: 'mutation { changeEmail(email: "nuovo@example.org") { expiresAt } }',
    done: true,
  },
  {
    mutation: 'verifyEmail',
    scope: 'profile:write',
    query: 'mutation { verifyEmail(token: "not-a-token") { fiscalCode } }',
    done: false,
  },
  {
    mutation: 'updateNotificationPreferences',
    scope: 'notifications:write',
    query:
      'mutation { updateNotificationPreferences(changes: [{ category: ORDINANCES, channel: EMAIL, enabled: false }]) { fiscalCode } }',
    done: true,
  },
  {
    mutation: 'setAppIoEnabled',
    scope: 'notifications:write',
    query: 'mutation { setAppIoEnabled(enabled: true) { fiscalCode } }',
    done: true,
  },
  {
    mutation: 'createTelegramLink',
    scope: 'notifications:write',
    query: 'mutation { createTelegramLink { url } }',
    done: true,
  },
  {
    mutation: 'unlinkTelegram',
    scope: 'notifications:write',
    query: 'mutation { unlinkTelegram { fiscalCode } }',
    done: true,
  },
];

describe.each(DATABASE_DRIVERS)('write scopes of apps, in identity on %s', (driver) => {
  let service: TestIdentity;
  let admin: string;
  /** An app registered for every scope, read and write. */
  let app: { clientId: string; secret: string };
  let readOnly: string;
  let writer: string;
  let citizen: string;

  async function register(scopes: string[]): Promise<GraphQLAnswer> {
    return service.graphql(
      `mutation($input: RegisterApiClientInput!) { registerApiClient(input: $input) { clientSecret client { clientId scopes } } }`,
      {
        token: admin,
        variables: { input: { name: 'Sportello tascabile', scopes, redirectUris: [REDIRECT] } },
      },
    );
  }

  /** Opens the app's authorization request for a citizen already signed in: the consent page, or a redirect. */
  async function authorize(scope: string, headers: Record<string, string> = {}): Promise<Response> {
    return new TestBrowser().followSignIn(
      `${service.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: REDIRECT,
        scope,
        code_challenge: s256Challenge(generateOneTimeToken()),
        code_challenge_method: 'S256',
        login_hint: CHIARA,
      })}`,
      { serviceUrl: service.url, issuer: 'http://identity.test', stopAt: REDIRECT, headers },
    );
  }

  beforeAll(async () => {
    service = await startIdentity({}, driver);
    admin = await service.devToken({ subject: 'admin.neri' });
    const answer = await register([
      'OPENID',
      'PROFILE',
      'PROFILE_WRITE',
      'NOTIFICATIONS',
      'NOTIFICATIONS_WRITE',
      'PRACTICES',
      'PRACTICES_WRITE',
      'ANAGRAFE',
      'ANAGRAFE_WRITE',
    ]);
    const registration = answer.data?.registerApiClient as {
      clientSecret: string;
      client: { clientId: string };
    };
    app = { clientId: registration.client.clientId, secret: registration.clientSecret };
    readOnly = await service.authorizationCode(
      app.clientId,
      MARIO,
      'openid profile notifications',
      app.secret,
    );
    writer = await service.authorizationCode(
      app.clientId,
      MARIO,
      'openid profile profile:write notifications notifications:write',
      app.secret,
    );
    citizen = await service.devToken({ subject: MARIO });
  });
  afterAll(() => service?.close());

  describe.each(WRITES)('$mutation', ({ scope, query, done }) => {
    it(`refuses an app with the read scopes only, naming ${scope}`, async () => {
      const answer = await service.graphql(query, { token: readOnly });
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'SCOPE_REQUIRED',
        scope,
      });
      expect(answer.errors?.[0]?.message).toContain(`"${scope}" scope`);
    });

    it(`lets an app with ${scope} make the change`, async () => {
      const answer = await service.graphql(query, { token: writer });
      if (done) expect(answer.errors).toBeUndefined();
      else expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it('lets the citizen signed in themselves make it, without any scope', async () => {
      const answer = await service.graphql(query, { token: citizen });
      if (done) expect(answer.errors).toBeUndefined();
      else expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });

  it('registers an app with write scopes only alongside their read scopes, naming the argument', async () => {
    const alone = await register(['OPENID', 'PRACTICES_WRITE', 'ANAGRAFE', 'ANAGRAFE_WRITE']);
    expect(alone.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.scopes' });
    expect(alone.errors?.[0]?.message).toContain('practices:write needs practices');
    const paired = await register(['OPENID', 'PRACTICES', 'PRACTICES_WRITE']);
    expect(paired.errors).toBeUndefined();
    expect(paired.data?.registerApiClient).toMatchObject({
      client: { scopes: ['OPENID', 'PRACTICES', 'PRACTICES_WRITE'] },
    });
  });

  it('refuses a sign-in asking for a write scope without its read scope, back at the app', async () => {
    const answer = await authorize('openid practices:write');
    const location = new URL(answer.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('error_description')).toContain('practices:write needs practices');
  });

  it('lists the write scopes in discovery and in oauthScopes', async () => {
    const discovery = (await (await fetch(`${service.url}/.well-known/openid-configuration`)).json()) as {
      scopes_supported: string[];
    };
    expect(discovery.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'practices', ...WRITE_SCOPES]),
    );
    const listed = await service.graphql('{ oauthScopes }');
    expect(listed.data?.oauthScopes).toEqual(
      expect.arrayContaining([
        'PRACTICES',
        'PROFILE_WRITE',
        'ANAGRAFE_WRITE',
        'PRACTICES_WRITE',
        'NOTIFICATIONS_WRITE',
      ]),
    );
  });

  it('names each write scope on the consent page in Italian, English and German', async () => {
    const scope = `openid profile anagrafe practices notifications ${WRITE_SCOPES.join(' ')}`;
    const italian = await (await authorize(scope)).text();
    expect(italian).toContain('Presentare e seguire pratiche a tuo nome');
    expect(italian).toContain('Cambiare a tuo nome email e lingua preferita');
    expect(italian).toContain('cambio di residenza');
    expect(italian).toContain('Cambiare a tuo nome le preferenze di notifica');
    expect(italian).not.toContain(':write');
    const english = await (await authorize(scope, { 'accept-language': 'en' })).text();
    expect(english).toContain('File and follow up practices in your name');
    expect(english).not.toContain(':write');
    const german = await (await authorize(scope, { 'accept-language': 'de' })).text();
    expect(german).toContain('In Ihrem Namen Anträge stellen und verfolgen');
    expect(german).not.toContain(':write');
  });

  it('does not turn a grant to read into one to write: the citizen is asked again', async () => {
    const chiaraReads = await service.authorizationCode(
      app.clientId,
      CHIARA,
      'openid notifications',
      app.secret,
    );
    const refused = await service.graphql(WRITES[3]!.query, { token: chiaraReads });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ scope: 'notifications:write' });

    // Asked for the write scope, the app gets the consent page naming it, not a code.
    const consent = await authorize('openid notifications notifications:write');
    expect(consent.status).toBe(200);
    const page = await consent.text();
    expect(page).toContain('name="decision" value="allow"');
    expect(page).toContain('Cambiare a tuo nome le preferenze di notifica');
  });
});
