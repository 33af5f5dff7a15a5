import {
  createLogger,
  createRevocationView,
  createTokenVerifier,
  UnauthenticatedError,
} from '@sportello/platform';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-support/browser.js';
import { CHIARA, MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const LIST = `query($language: Language) {
  myAppGrants(language: $language) { nodes { clientId name grantedAt lastUsedAt scopes { scope description } } }
}`;
const REVOKE = 'mutation($clientId: String!) { revokeAppGrant(clientId: $clientId) }';

interface ListedGrant {
  clientId: string;
  name: string;
  grantedAt: string;
  lastUsedAt: string | null;
  scopes: { scope: string; description: string }[];
}

describe.each(DATABASE_DRIVERS)('apps a citizen granted, on %s', (driver) => {
  let service: TestIdentity;
  let admin: string;
  let mario: string;
  const events: EventEnvelope[] = [];

  async function registerApp(name: string, scopes: string[]): Promise<{ clientId: string; secret: string }> {
    const answer = await service.graphql(
      `mutation($input: RegisterApiClientInput!) { registerApiClient(input: $input) { clientSecret client { clientId } } }`,
      {
        token: admin,
        variables: {
          input: { name, scopes, redirectUris: ['http://localhost:5173/callback'] },
        },
      },
    );
    const registration = answer.data?.registerApiClient as
      { clientSecret: string; client: { clientId: string } } | undefined;
    if (registration === undefined) throw new Error(JSON.stringify(answer.errors));
    return { clientId: registration.client.clientId, secret: registration.clientSecret };
  }

  async function grantsOf(token: string, language?: string): Promise<ListedGrant[]> {
    const answer = await service.graphql(LIST, { token, variables: language ? { language } : {} });
    expect(answer.errors).toBeUndefined();
    return (answer.data?.myAppGrants as { nodes: ListedGrant[] }).nodes;
  }

  beforeAll(async () => {
    service = await startIdentity({}, driver);
    await service.bus.listen('sportello.>', (event) => events.push(event));
    admin = await service.devToken({ subject: 'admin.neri' });
    mario = await service.devToken({ subject: MARIO });
  });
  afterAll(() => service?.close());

  it('lists the apps the citizen consented to, with scopes in their language and when each was used', async () => {
    const app = await registerApp('Bus del Borgo', ['OPENID', 'PROFILE', 'TRIBUTI']);
    expect(await grantsOf(mario)).toEqual([]);
    const before = Date.now();
    await service.authorizationCode(app.clientId, MARIO, 'openid profile', app.secret);

    const [grant, ...others] = await grantsOf(mario);
    expect(others).toEqual([]);
    expect(grant).toMatchObject({
      clientId: app.clientId,
      name: 'Bus del Borgo',
      scopes: [
        { scope: 'OPENID', description: 'Sapere chi sei (il tuo codice fiscale)' },
        { scope: 'PROFILE', description: 'Leggere nome, cognome, email e lingua preferita' },
      ],
    });
    expect(Date.parse(grant!.grantedAt)).toBeGreaterThanOrEqual(before - 1000);
    // The app redeemed its code: that is when it last used the grant.
    expect(Date.parse(grant!.lastUsedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(grant!.grantedAt));

    const [english] = await grantsOf(mario, 'EN');
    expect(english?.scopes.map((scope) => scope.description)).toEqual([
      'Know who you are (your fiscal code)',
      'Read your name, email and preferred language',
    ]);
    const [german] = await grantsOf(mario, 'DE');
    expect(german?.scopes[0]?.description).toBe('Wissen, wer Sie sind (Ihre Steuernummer)');

    // Another citizen sees none of it.
    expect(await grantsOf(await service.devToken({ subject: CHIARA }))).toEqual([]);
  });

  it("withdraws a grant: the app's token for the citizen is refused at once, here and by any verifier hearing identity", async () => {
    const app = await registerApp('Rifiuti Smart', ['OPENID', 'PROFILE']);
    const other = await registerApp('Biblioteca', ['OPENID', 'PROFILE']);
    const appToken = await service.authorizationCode(app.clientId, MARIO, 'openid profile', app.secret);
    const otherToken = await service.authorizationCode(other.clientId, MARIO, 'openid profile', other.secret);
    const chiaraToken = await service.authorizationCode(app.clientId, CHIARA, 'openid profile', app.secret);

    // Another service's verifier: identity's keys, and the revocations it announces on the bus.
    const view = createRevocationView({
      bus: service.bus,
      logger: createLogger({ name: 'other-service', level: 'silent' }),
    });
    await view.start();
    const elsewhere = createTokenVerifier({
      issuer: 'http://identity.test',
      audience: 'sportello',
      jwks: new URL(`${service.url}/.well-known/jwks.json`),
      revocations: view,
    });
    await expect(elsewhere.verifyToken(appToken)).resolves.toMatchObject({ clientId: app.clientId });

    const me = '{ me { fiscalCode givenName } }';
    expect((await service.graphql(me, { token: appToken })).data?.me).toEqual({
      fiscalCode: MARIO,
      givenName: 'Mario',
    });

    const revoked = await service.graphql(REVOKE, { token: mario, variables: { clientId: app.clientId } });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data?.revokeAppGrant).toBe(true);

    // Right after, at identity: the request that revoked was answered after the commit.
    const refused = await service.graphql(me, { token: appToken });
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_REVOKED',
    });
    expect(refused.errors?.[0]?.message).toContain("withdrew this app's access");

    // Elsewhere, once the event arrives.
    await expect
      .poll(async () =>
        elsewhere.verifyToken(appToken).then(
          () => 'accepted',
          (error: unknown) =>
            error instanceof UnauthenticatedError ? error.extensions.reason : String(error),
        ),
      )
      .toBe('TOKEN_REVOKED');
    await view.close();
    const announced = events.find(
      (event) =>
        event.type === 'access.revoked' && (event.data as { clientId?: string }).clientId === app.clientId,
    );
    expect(announced?.data).toMatchObject({
      reason: 'grant-revoked',
      clientId: app.clientId,
      fiscalCode: MARIO,
    });
    // Listed for verifiers that start later or missed the event.
    const list = (await (await fetch(`${service.url}/internal/revocations`)).json()) as {
      revocations: { reason: string; clientId?: string; fiscalCode?: string }[];
    };
    expect(list.revocations).toContainEqual(
      expect.objectContaining({ reason: 'grant-revoked', clientId: app.clientId, fiscalCode: MARIO }),
    );

    // Only that app, only for this citizen: the other app and the same app for Chiara still work.
    expect((await service.graphql(me, { token: otherToken })).status).toBe(200);
    expect((await service.graphql('{ me { fiscalCode } }', { token: chiaraToken })).data?.me).toEqual({
      fiscalCode: CHIARA,
    });
    expect((await grantsOf(mario)).map((grant) => grant.clientId)).not.toContain(app.clientId);
    expect((await grantsOf(mario)).map((grant) => grant.clientId)).toContain(other.clientId);

    // Withdrawing again says there is nothing to withdraw.
    const again = await service.graphql(REVOKE, { token: mario, variables: { clientId: app.clientId } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('asks the citizen again after a withdrawal, and only for what the app asks then', async () => {
    const app = await registerApp('Sportello Tasse', ['OPENID', 'PROFILE', 'TRIBUTI']);
    await service.authorizationCode(app.clientId, MARIO, 'openid profile tributi', app.secret);
    await service.graphql(REVOKE, { token: mario, variables: { clientId: app.clientId } });

    const authorize = new URL(`${service.url}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: 'http://localhost:5173/callback',
      scope: 'openid',
      state: 'again',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGKgIRJkFm',
      code_challenge_method: 'S256',
      login_hint: MARIO,
    }).toString();
    const consentPage = await new TestBrowser().followSignIn(authorize, {
      serviceUrl: service.url,
      issuer: 'http://identity.test',
      stopAt: 'http://localhost:5173/callback',
    });
    // The consent step again, not a code straight away.
    expect(consentPage.status).toBe(200);
    expect(await consentPage.text()).toContain('Consentire l’accesso?');

    // A token issued after the withdrawal (the next second at the latest) works.
    await expect
      .poll(
        async () => {
          const token = await service.authorizationCode(app.clientId, MARIO, 'openid', app.secret);
          return (await service.graphql('{ me { fiscalCode } }', { token })).status;
        },
        { timeout: 5_000 },
      )
      .toBe(200);
    const grant = (await grantsOf(mario)).find((listed) => listed.clientId === app.clientId);
    expect(grant?.scopes.map((scope) => scope.scope)).toEqual(['OPENID']);
  });

  it.each([
    ['anonymous', undefined, 'UNAUTHENTICATED'],
    ['a staff member', 'admin', 'FORBIDDEN'],
  ])('is for the citizen alone: %s is refused', async (_label, who, code) => {
    const token = who === 'admin' ? admin : undefined;
    const list = await service.graphql(LIST, token === undefined ? {} : { token });
    expect(list.errors?.[0]?.extensions?.['code']).toBe(code);
    const revoke = await service.graphql(REVOKE, {
      ...(token === undefined ? {} : { token }),
      variables: { clientId: 'whatever' },
    });
    expect(revoke.errors?.[0]?.extensions?.['code']).toBe(code);
  });

  it("refuses an app acting on the citizen's grant: it cannot list other apps or withdraw grants", async () => {
    const app = await registerApp('Curioso', ['OPENID', 'PROFILE']);
    const token = await service.authorizationCode(app.clientId, MARIO, 'openid profile', app.secret);
    const list = await service.graphql(LIST, { token });
    expect(list.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CITIZEN_ONLY' });
    const revoke = await service.graphql(REVOKE, { token, variables: { clientId: app.clientId } });
    expect(revoke.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CITIZEN_ONLY' });
    expect((await grantsOf(mario)).map((grant) => grant.clientId)).toContain(app.clientId);
  });
});
