import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import { busSubjectPattern, type EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import {
  CHIARA,
  CHILD,
  COMUNE,
  DASHBOARD_REDIRECT,
  MARIO,
  startIdentity,
  type TestIdentity,
} from '../test-support/harness.js';
import { DASHBOARD_CLIENT_ID } from '../seed/index.js';
import { TestBrowser } from '../test-support/browser.js';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';
import { currentRevocations } from './revocations-route.js';

describe.each(DATABASE_DRIVERS)('on %s', (driver) => {
  let service: TestIdentity;
  let admin: string;

  async function register(scopes: string[], confidential = true) {
    const answer = await service.graphql(
      `mutation($input: RegisterApiClientInput!) { registerApiClient(input: $input) { clientSecret client { clientId rateLimitPerMinute } } }`,
      {
        token: admin,
        variables: {
          input: {
            name: 'Bus times',
            scopes,
            redirectUris: ['http://localhost:5173/callback'],
            rateLimitPerMinute: 120,
            confidential,
          },
        },
      },
    );
    const registration = answer.data?.registerApiClient as {
      clientSecret: string | null;
      client: { clientId: string };
    };
    return { clientId: registration.client.clientId, secret: registration.clientSecret };
  }

  beforeAll(async () => {
    service = await startIdentity({}, driver);
    admin = await service.devToken({ subject: 'admin.neri' });
  });
  afterAll(() => service?.close());

  describe('discovery and keys', () => {
    it('publishes the discovery document and an ES256 JWKS without private parts', async () => {
      const discovery = (await (
        await fetch(`${service.url}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(discovery).toMatchObject({
        issuer: 'http://identity.test',
        jwks_uri: 'http://identity.test/.well-known/jwks.json',
        code_challenge_methods_supported: ['S256'],
      });
      const jwks = (await (await fetch(`${service.url}/.well-known/jwks.json`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(key).not.toHaveProperty('d');
      }
    });

    it('keeps a retired key published while tokens it signed may live, and verifies them', async () => {
      const before = await service.devToken({ subject: MARIO });
      const newKid = await service.identity.keys.rotateNow();
      const jwks = (await (await fetch(`${service.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      expect(jwks.keys.map((key) => key.kid)).toContain(newKid);
      expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
      const after = await service.devToken({ subject: MARIO });
      for (const token of [before, after]) {
        const answer = await service.graphql('{ me { givenName } }', { token });
        expect(answer.data?.me).toEqual({ givenName: 'Mario' });
      }
    });
  });

  describe('client credentials and revocation', () => {
    it('gives a third-party server a client token it can query public data with, and nothing personal', async () => {
      const app = await register(['OPENID', 'PROFILE']);
      const response = await service.post('/oauth/token', {
        grant_type: 'client_credentials',
        scope: 'profile',
        client_id: app.clientId,
        client_secret: app.secret ?? '',
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        access_token: string;
        token_type: string;
        expires_in: number;
        scope: string;
      };
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'profile' });
      expect(decodeJwt(body.access_token)).toMatchObject({
        kind: 'client',
        client_id: app.clientId,
        comune: COMUNE,
        scope: 'profile',
        rate_limit: 120,
        iss: 'http://identity.test',
        aud: 'sportello',
      });
      const scopes = await service.graphql('{ oauthScopes }', { token: body.access_token });
      expect(scopes.data?.oauthScopes).toContain('PROFILE');
      const personal = await service.graphql(
        'query($fc: FiscalCode!) { citizen(fiscalCode: $fc) { email } }',
        {
          token: body.access_token,
          variables: { fc: MARIO },
        },
      );
      expect(personal.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('refuses a wrong secret and scopes beyond the registration', async () => {
      const app = await register(['OPENID']);
      const wrong = await service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: 'nope',
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      const scope = await service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.secret ?? '',
        scope: 'anagrafe',
      });
      expect(scope.status).toBe(400);
      expect(((await scope.json()) as { error: string }).error).toBe('invalid_scope');
      // A scope Sportello does not have at all is refused too, named, not quietly left out.
      const unknown = await service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.secret ?? '',
        scope: 'openid admin',
      });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({
        error: 'invalid_scope',
        error_description: 'scopes not allowed for this client: admin',
      });
    });

    it('stops a revoked client at the token endpoint and in identity, even with a token issued before', async () => {
      const app = await register(['OPENID', 'PROFILE']);
      const credentials = {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.secret ?? '',
      };
      const issued = (
        (await (await service.post('/oauth/token', credentials)).json()) as { access_token: string }
      ).access_token;
      expect((await service.graphql('{ oauthScopes }', { token: issued })).data?.oauthScopes).toBeDefined();

      const revoked = await service.graphql(
        'mutation($id: String!) { revokeApiClient(clientId: $id) { revokedAt } }',
        {
          token: admin,
          variables: { id: app.clientId },
        },
      );
      expect((revoked.data?.revokeApiClient as { revokedAt: string }).revokedAt).toBeTruthy();

      const again = await service.post('/oauth/token', credentials);
      expect(again.status).toBe(401);
      const refused = await service.graphql('{ oauthScopes }', { token: issued });
      expect(refused.status).toBe(401);
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'CLIENT_REVOKED',
      });
    });

    it("says in identity's own views that a revoked app's tokens are revoked, as every verifier does, and lists the app once", async () => {
      const app = await register(['OPENID', 'PROFILE']);
      const ownToken = (
        (await (
          await service.post('/oauth/token', {
            grant_type: 'client_credentials',
            client_id: app.clientId,
            client_secret: app.secret ?? '',
          })
        ).json()) as { access_token: string }
      ).access_token;
      const onBehalf = await service.authorizationCode(app.clientId, MARIO, 'openid profile', app.secret!);
      const registered = await service.graphql(
        `mutation { registerApiClient(input: { name: "Sportello app", scopes: [OPENID, PROFILE], redirectUris: ["http://localhost:5173/callback"], confidential: true, firstParty: true }) { clientSecret client { clientId } } }`,
        { token: admin },
      );
      const firstParty = registered.data?.registerApiClient as {
        clientSecret: string;
        client: { clientId: string };
      };
      const signedIn = await service.authorizationCode(
        firstParty.client.clientId,
        MARIO,
        'openid profile',
        firstParty.clientSecret,
      );
      for (const clientId of [app.clientId, firstParty.client.clientId]) {
        const revoked = await service.graphql(
          'mutation($id: String!) { revokeApiClient(clientId: $id) { revokedAt } }',
          { token: admin, variables: { id: clientId } },
        );
        expect(revoked.errors).toBeUndefined();
      }

      /** Whether identity's record of an access token says it is revoked. */
      const recordRevoked = async (token: string) =>
        (
          await service.identity.database
            .forkUnscoped()
            .findOneOrFail(RefreshTokenEntity, { accessTokenId: String(decodeJwt(token).jti) })
        ).revokedAt != null;
      const introspect = async (token: string) => (await service.introspect(token)).active;
      const userinfo = async (token: string) =>
        (await fetch(`${service.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${token}` } }))
          .status;
      const me = async (token: string) => (await service.graphql('{ me { fiscalCode } }', { token })).status;

      // The app's own token and its token on Mario's behalf: refused everywhere, revoked here too.
      for (const token of [ownToken, onBehalf]) {
        expect(await recordRevoked(token)).toBe(true);
        expect(await introspect(token)).toBe(false);
      }
      expect(await userinfo(onBehalf)).toBe(401);
      // Mario's sign-in to the first-party app is his: every verifier still takes its token, and so does identity.
      expect(await recordRevoked(signedIn)).toBe(false);
      expect(await me(signedIn)).toBe(200);
      expect(await userinfo(signedIn)).toBe(200);
      expect(await introspect(signedIn)).toBe(true);
      // The app's revocation ends its tokens at every verifier: it is listed once, not once a token.
      const listed = (await currentRevocations(service.identity.database)).filter(
        (revocation) => revocation.clientId === app.clientId,
      );
      expect(listed).toEqual([expect.objectContaining({ reason: 'client-revoked', clientId: app.clientId })]);
    });

    it('announces a revocation on the bus once and lists it for verifiers while its tokens may live', async () => {
      const heard: EventEnvelope[] = [];
      const consumer = await service.bus.consume(
        { name: `revocations-${driver}`, subjects: [busSubjectPattern({ type: 'access.revoked' })] },
        async (event) => {
          heard.push(event);
        },
      );
      try {
        const app = await register(['OPENID']);
        const kept = await register(['OPENID']);
        const later = await register(['OPENID']);
        const revoke = (clientId: string) =>
          service.graphql('mutation($id: String!) { revokeApiClient(clientId: $id) { revokedAt } }', {
            token: admin,
            variables: { id: clientId },
          });
        const revokedAt = ((await revoke(app.clientId)).data?.revokeApiClient as { revokedAt: string })
          .revokedAt;
        await revoke(app.clientId);
        // Events leave in commit order: once the later revocation is heard, a second one of `app`
        // would have been too.
        await revoke(later.clientId);
        const of = (clientId: string) => heard.filter((event) => event.subject === clientId);
        await expect.poll(() => of(later.clientId).length, { timeout: 20_000 }).toBeGreaterThan(0);
        expect(of(app.clientId)).toHaveLength(1);
        expect(of(app.clientId)[0]).toMatchObject({
          type: 'access.revoked',
          comune: COMUNE,
          subject: app.clientId,
          actor: { kind: 'staff', id: 'admin.neri' },
          data: {
            reason: 'client-revoked',
            clientId: app.clientId,
            revokedAt: new Date(revokedAt).toISOString(),
          },
        });

        // The list is internal: the gateway never forwards it, and a deployment with an internal
        // secret asks for its assertion.
        const list = await fetch(`${service.url}/internal/revocations`);
        expect(list.headers.get('cache-control')).toBe('no-store');
        const body = (await list.json()) as { revocations: { clientId?: string; reason: string }[] };
        const listed = body.revocations.map((revocation) => revocation.clientId);
        expect(listed).toEqual(expect.arrayContaining([app.clientId, later.clientId]));
        expect(listed).not.toContain(kept.clientId);
      } finally {
        await consumer.stop();
      }
    });

    it('refuses an internal service whose secret is a near miss: a prefix, one character off, longer, empty', async () => {
      const secret = 'notifier-secret-for-tests';
      for (const attempt of [secret.slice(0, -1), `${secret.slice(0, -1)}X`, `${secret}s`, '']) {
        const response = await service.post('/oauth/token', {
          grant_type: 'client_credentials',
          client_id: 'sportello-notifier',
          client_secret: attempt,
        });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          error: 'invalid_client',
          error_description: 'client authentication failed',
        });
      }
      const noSecret = await service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'sportello-notifier',
      });
      expect(noSecret.status).toBe(401);
    });

    it('issues the notifier a service token from its configured credentials', async () => {
      const response = await service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'sportello-notifier',
        client_secret: 'notifier-secret-for-tests',
      });
      const token = ((await response.json()) as { access_token: string }).access_token;
      expect(decodeJwt(token)).toMatchObject({
        kind: 'service',
        service: 'notifier',
        // RFC 9068: a client-credentials token's subject is the client.
        sub: 'sportello-notifier',
        comune: COMUNE,
      });
      const batch = await service.graphql(
        'query($fcs: [FiscalCode!]!) { citizensByFiscalCodes(fiscalCodes: $fcs) { fiscalCode email preferredLanguage } }',
        { token, variables: { fcs: [MARIO, 'RSSMRA80B01F2LRC'] } },
      );
      expect(batch.data?.citizensByFiscalCodes).toEqual([
        { fiscalCode: MARIO, email: 'mario@example.org', preferredLanguage: 'IT' },
        { fiscalCode: 'RSSMRA80B01F2LRC', email: null, preferredLanguage: null },
      ]);
    });
  });

  describe('bad tokens', () => {
    const query = '{ oauthScopes }';

    it('rejects garbage, foreign keys and expired tokens with 401 and a reason, without echoing the token', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const foreign = await new SignJWT({ kind: 'citizen', comune: COMUNE, fiscal_code: MARIO, sub: MARIO })
        .setProtectedHeader({ alg: 'ES256', kid: (await exportJWK(publicKey)).x ?? 'k', typ: 'at+jwt' })
        .setIssuer('http://identity.test')
        .setAudience('sportello')
        .setIssuedAt()
        .setJti('x')
        .setExpirationTime('5m')
        .sign(privateKey);
      const cases: [string, string][] = [
        ['not-a-jwt', 'MALFORMED_TOKEN'],
        [foreign, 'UNKNOWN_KEY'],
      ];
      for (const [token, reason] of cases) {
        const answer = await service.graphql(query, { token });
        expect(answer.status).toBe(401);
        expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
        expect(JSON.stringify(answer)).not.toContain(token);
        expect(JSON.stringify(answer)).not.toContain(MARIO);
      }
    });

    it('rejects a token whose signature was tampered with', async () => {
      const token = await service.devToken({ subject: MARIO });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, kind: 'staff', username: 'x', offices: ['admin'] })).toString('base64url')}.${signature}`;
      const answer = await service.graphql(query, { token: forged });
      expect(answer.status).toBe(401);
      expect(answer.errors?.[0]?.extensions?.reason).toBe('BAD_SIGNATURE');
    });
  });

  describe('authorization code with PKCE', () => {
    it('refuses plain PKCE and an unregistered redirect', async () => {
      const app = await register(['OPENID', 'PROFILE']);
      const base = {
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: 'http://localhost:5173/callback',
        state: 's',
        code_challenge: 'a'.repeat(43),
      };
      const plain = await fetch(
        `${service.url}/oauth/authorize?${new URLSearchParams({ ...base, code_challenge_method: 'plain' })}`,
        {
          redirect: 'manual',
        },
      );
      expect(plain.status).toBe(303);
      expect(new URL(plain.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
      const evil = await fetch(
        `${service.url}/oauth/authorize?${new URLSearchParams({ ...base, code_challenge_method: 'S256', redirect_uri: 'https://evil.example/cb' })}`,
        { redirect: 'manual' },
      );
      expect(evil.status).toBe(400);
    });

    it('gives a public app a delegated token only with the right verifier, once', async () => {
      const app = await register(['OPENID', 'PROFILE'], false);
      expect(app.secret).toBeNull();
      const token = await service.authorizationCode(app.clientId, MARIO, 'openid profile');
      expect(decodeJwt(token)).toMatchObject({
        kind: 'client',
        client_id: app.clientId,
        sub: MARIO,
        on_behalf_of: { fiscal_code: MARIO },
        scope: 'openid profile',
      });
      const me = await service.graphql('{ me { givenName familyName } }', { token });
      expect(me.data?.me).toEqual({ givenName: 'Mario', familyName: 'Rossi' });
    });

    it('rejects a code presented with the wrong verifier', async () => {
      const app = await register(['OPENID', 'PROFILE']);
      const verifier = generateOneTimeToken();
      const authorize = new URL(`${service.url}/oauth/authorize`);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: 'http://localhost:5173/callback',
        scope: 'openid',
        code_challenge: s256Challenge(verifier),
        code_challenge_method: 'S256',
        login_hint: MARIO,
      }).toString();
      const consented = await new TestBrowser().followSignIn(authorize, {
        serviceUrl: service.url,
        issuer: 'http://identity.test',
        stopAt: 'http://localhost:5173/callback',
        fields: { decision: 'allow' },
      });
      const code = new URL(consented.headers.get('location') ?? '').searchParams.get('code') ?? '';
      expect(code).not.toBe('');
      const wrong = await service.post('/oauth/token', {
        grant_type: 'authorization_code',
        redirect_uri: 'http://localhost:5173/callback',
        code,
        code_verifier: generateOneTimeToken(),
        client_id: app.clientId,
        client_secret: app.secret ?? '',
      });
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
    });
  });

  describe('development login', () => {
    it('does not exist outside demo mode', async () => {
      const production = await startIdentity({ mode: 'production' });
      try {
        const response = await fetch(`${production.url}/auth/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ subject: MARIO }),
        });
        expect(response.status).toBe(404);
      } finally {
        await production.close();
      }
    });

    it('signs a staff member in to the staff dashboard with PKCE, and offers staff to no third-party app', async () => {
      const verifier = generateOneTimeToken();
      const authorize = (clientId: string, redirectUri: string) =>
        `${service.url}/oauth/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirectUri,
          scope: 'openid',
          state: 'st',
          code_challenge: s256Challenge(verifier),
          code_challenge_method: 'S256',
        })}`;
      const follow = (browser: TestBrowser, start: string, stopAt: string, fields?: Record<string, string>) =>
        browser.followSignIn(start, {
          serviceUrl: service.url,
          issuer: 'http://identity.test',
          stopAt,
          fields,
        });
      const browser = new TestBrowser();
      const page = await (
        await follow(browser, authorize(DASHBOARD_CLIENT_ID, DASHBOARD_REDIRECT), DASHBOARD_REDIRECT)
      ).text();
      expect(page).toContain('name="staff_username"');
      const login = await follow(
        new TestBrowser(),
        authorize(DASHBOARD_CLIENT_ID, DASHBOARD_REDIRECT),
        DASHBOARD_REDIRECT,
        {
          staff_username: 'tributi.verdi',
        },
      );
      const location = new URL(login.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(DASHBOARD_REDIRECT);
      const code = location.searchParams.get('code') ?? '';
      const token = await service.post(
        '/oauth/token',
        {
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          client_id: DASHBOARD_CLIENT_ID,
          redirect_uri: DASHBOARD_REDIRECT,
        },
        { origin: 'http://127.0.0.1:4000' },
      );
      expect(token.status).toBe(200);
      // The dashboard redeems the code from the gateway's origin.
      expect(token.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4000');
      const { access_token } = (await token.json()) as { access_token: string };
      expect(decodeJwt(access_token)).toMatchObject({
        kind: 'staff',
        sub: 'tributi.verdi',
        offices: ['tributi'],
      });

      const app = await register(['OPENID'], false);
      const outsider = new TestBrowser();
      const thirdParty = await (
        await follow(
          outsider,
          authorize(app.clientId, 'http://localhost:5173/callback'),
          'http://localhost:5173/callback',
        )
      ).text();
      expect(thirdParty).toContain('Accesso di prova');
      expect(thirdParty).not.toContain('staff_username');
      const action = /<form[^>]*action="([^"]+)"/.exec(thirdParty)?.[1] ?? '';
      const refused = await outsider.submit(`${service.url}${action}`, thirdParty, {
        staff_username: 'tributi.verdi',
      });
      expect(refused.status).toBe(400);
    });

    it('answers with the documented shape and names a bad subject', async () => {
      const response = await fetch(`${service.url}/auth/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'staff', office: 'anagrafe' }),
      });
      expect(await response.json()).toMatchObject({ token_type: 'Bearer', subject: 'anagrafe.bianchi' });
      const bad = await fetch(`${service.url}/auth/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'nobody' }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error_description: string }).error_description).toMatch(/subject/);
    });

    it("gives a citizen's token by fiscal code, or the first seeded citizen's, acting for their delegators", async () => {
      const issue = async (body: Record<string, string>) => {
        const response = await fetch(`${service.url}/auth/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const answer = (await response.json()) as { access_token: string; subject: string };
        return { subject: answer.subject, claims: decodeJwt(answer.access_token) };
      };
      expect(await issue({ subject: MARIO.toLowerCase() })).toMatchObject({
        subject: MARIO,
        claims: { kind: 'citizen', sub: MARIO, comune: COMUNE, acts_for: [CHILD] },
      });
      expect(await issue({ kind: 'citizen' })).toMatchObject({
        subject: CHIARA,
        claims: { kind: 'citizen', sub: CHIARA, comune: COMUNE, acts_for: [] },
      });
    });
  });
});
