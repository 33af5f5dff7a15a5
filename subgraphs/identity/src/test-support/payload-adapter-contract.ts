import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import { createJobScheduler, createLogger, type Database, type DatabaseDriver } from '@sportello/platform';
import { createTestDatabase, type TestDatabase } from '@sportello/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_ENTITIES } from '../entities/index.js';
import { OidcPayloadEntity } from '../entities/oidc-payload.entity.js';
import {
  OIDC_PAYLOAD_PURGE_JOB,
  oidcPayloadPurgeJob,
  purgeExpiredOidcPayloads,
} from '../jobs/oidc-payload-purge.js';
import { migrations as postgresqlMigrations } from '../migrations/postgresql/index.js';
import { migrations as sqliteMigrations } from '../migrations/sqlite/index.js';
import { createPayloadAdapter } from '../oidc/payload-adapter.js';

/** Every model `oidc-provider` 9 stores through its adapter. */
const MODELS = [
  'Session',
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'Client',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'Interaction',
  'ReplayDetection',
  'PushedAuthorizationRequest',
  'Grant',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
] as const;

const START = Date.UTC(2026, 11, 7, 9, 0, 0);
const MARIO = 'RSSMRA80A01H501U';
/** The app's PKCE pair (S256). */
const CODE_VERIFIER = 'a-code-verifier-of-the-app-at-least-43-characters-long';
const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');

/** A payload shaped like the library's: nested objects, arrays, numbers, `null`s. */
function payloadOf(kind: string, id: string, extra: Partial<AdapterPayload> = {}): AdapterPayload {
  return {
    kind,
    jti: id,
    iat: START / 1000,
    exp: START / 1000 + 60,
    clientId: 'app-demo',
    accountId: 'RSSMRA80A01H501U',
    scope: 'openid profile',
    claims: {
      userinfo: { email: null },
      id_token: { acr: { essential: true, values: ['https://www.spid.gov.it/SpidL2'] } },
    },
    extra: { comune: '001272', amr: ['pwd'], note: 'caffè «è»' },
    ...extra,
  };
}

/**
 * The behaviour `oidc-provider` expects of its adapter (see its reference memory adapter), run
 * against identity's `oidc_payload` adapter on the given driver, plus the purge of expired rows.
 */
export function payloadAdapterContract(driver: DatabaseDriver): void {
  describe(`the OpenID provider's storage on ${driver}`, () => {
    let test: TestDatabase;
    let database: Database;
    let now = START;
    let adapterFor: (kind: string) => InstanceType<AdapterConstructor>;

    beforeAll(async () => {
      test = await createTestDatabase({
        service: 'identity',
        driver,
        entities: IDENTITY_ENTITIES,
        migrations: { sqlite: sqliteMigrations, postgresql: postgresqlMigrations },
      });
      database = test.database;
      const Adapter = createPayloadAdapter(() => database.forkUnscoped(), { now: () => now });
      adapterFor = (kind) => new Adapter(kind);
    });
    afterAll(() => test?.dispose());
    beforeEach(async () => {
      now = START;
      await database.forkUnscoped().nativeDelete(OidcPayloadEntity, {});
    });

    it('gives back what every model stored, each model apart from the others', async () => {
      for (const kind of MODELS) {
        await adapterFor(kind).upsert('same-id', payloadOf(kind, 'same-id'), 60);
      }
      for (const kind of MODELS) {
        expect(await adapterFor(kind).find('same-id')).toEqual(payloadOf(kind, 'same-id'));
        expect(await adapterFor(kind).find('other-id')).toBeUndefined();
      }
    });

    it('replaces the payload and the expiry when an id is saved again', async () => {
      const sessions = adapterFor('Session');
      await sessions.upsert('s1', payloadOf('Session', 's1', { uid: 'uid-1' }), 60);
      now += 30_000;
      await sessions.upsert('s1', payloadOf('Session', 's1', { uid: 'uid-2', loginTs: 42 }), 60);
      expect(await sessions.find('s1')).toEqual(payloadOf('Session', 's1', { uid: 'uid-2', loginTs: 42 }));
      expect(await sessions.findByUid('uid-1')).toBeUndefined();
      now += 40_000; // past the first expiry, within the second
      expect(await sessions.findByUid('uid-2')).toMatchObject({ loginTs: 42 });
    });

    it('stops finding a row once its expiresIn has passed, and keeps one stored without it', async () => {
      const tokens = adapterFor('AccessToken');
      await tokens.upsert('t1', payloadOf('AccessToken', 't1'), 60);
      await adapterFor('Client').upsert('c1', payloadOf('Client', 'c1'));
      now += 59_999;
      expect(await tokens.find('t1')).toBeDefined();
      now += 1;
      expect(await tokens.find('t1')).toBeUndefined();
      now += 10 * 365 * 86_400_000;
      expect(await adapterFor('Client').find('c1')).toBeDefined();
    });

    it('keeps a row found for the clock tolerance it was given', async () => {
      const Tolerant = createPayloadAdapter(() => database.forkUnscoped(), {
        now: () => now,
        clockToleranceSeconds: 5,
      });
      await new Tolerant('AccessToken').upsert('t1', payloadOf('AccessToken', 't1'), 60);
      now += 64_000;
      expect(await new Tolerant('AccessToken').find('t1')).toBeDefined();
      now += 1_000;
      expect(await new Tolerant('AccessToken').find('t1')).toBeUndefined();
      expect(() =>
        createPayloadAdapter(() => database.forkUnscoped(), { clockToleranceSeconds: -1 }),
      ).toThrow(/clockToleranceSeconds must be a finite number of seconds, 0 or more, got -1/);
    });

    it('marks a consumed code: found again it carries consumed, the rest unchanged', async () => {
      const codes = adapterFor('AuthorizationCode');
      await codes.upsert('code-1', payloadOf('AuthorizationCode', 'code-1', { grantId: 'g1' }), 60);
      expect((await codes.find('code-1'))?.consumed).toBeUndefined();
      now += 10_000;
      await codes.consume('code-1');
      now += 10_000;
      await codes.consume('code-1'); // the first use is the one remembered
      const found = await codes.find('code-1');
      expect(found).toEqual({
        ...payloadOf('AuthorizationCode', 'code-1', { grantId: 'g1' }),
        consumed: START / 1000 + 10,
      });
      await expect(codes.consume('never-stored')).resolves.toBeUndefined();
      expect(await adapterFor('RefreshToken').find('code-1')).toBeUndefined();
    });

    it('keeps consumed when the library saves a consumed payload again', async () => {
      const tokens = adapterFor('RefreshToken');
      await tokens.upsert('r1', payloadOf('RefreshToken', 'r1'), 60);
      await tokens.consume('r1');
      const consumed = await tokens.find('r1');
      await tokens.upsert('r1', consumed!, 60);
      expect((await tokens.find('r1'))?.consumed).toBe(START / 1000);
    });

    it('destroys one row of one model and nothing else', async () => {
      await adapterFor('Session').upsert('x', payloadOf('Session', 'x', { uid: 'u' }), 60);
      await adapterFor('Grant').upsert('x', payloadOf('Grant', 'x'), 60);
      await adapterFor('Session').upsert('y', payloadOf('Session', 'y', { uid: 'v' }), 60);
      await adapterFor('Session').destroy('x');
      await adapterFor('Session').destroy('never-stored');
      expect(await adapterFor('Session').find('x')).toBeUndefined();
      expect(await adapterFor('Session').findByUid('u')).toBeUndefined();
      expect(await adapterFor('Grant').find('x')).toBeDefined();
      expect(await adapterFor('Session').find('y')).toBeDefined();
    });

    it('revokes every code and token of a grant, whichever model is asked, and nothing else', async () => {
      const members = [
        'AccessToken',
        'RefreshToken',
        'AuthorizationCode',
        'DeviceCode',
        'BackchannelAuthenticationRequest',
        'PreAuthorizedCode',
      ];
      for (const kind of members) {
        await adapterFor(kind).upsert(`${kind}-g1`, payloadOf(kind, `${kind}-g1`, { grantId: 'g1' }), 60);
        await adapterFor(kind).upsert(`${kind}-g2`, payloadOf(kind, `${kind}-g2`, { grantId: 'g2' }), 60);
      }
      // The grant itself and its interaction are not its members (the provider destroys the grant).
      await adapterFor('Grant').upsert('g1', payloadOf('Grant', 'g1'), 60);
      await adapterFor('Interaction').upsert('i1', payloadOf('Interaction', 'i1', { grantId: 'g1' }), 60);
      await adapterFor('Session').upsert('s1', payloadOf('Session', 's1', { uid: 'u1' }), 60);

      await adapterFor('RefreshToken').revokeByGrantId('g1');

      for (const kind of members) {
        expect(await adapterFor(kind).find(`${kind}-g1`), kind).toBeUndefined();
        expect(await adapterFor(kind).find(`${kind}-g2`), kind).toBeDefined();
      }
      expect(await adapterFor('Grant').find('g1')).toBeDefined();
      expect(await adapterFor('Interaction').find('i1')).toBeDefined();
      expect(await adapterFor('Session').find('s1')).toBeDefined();
    });

    it('finds a session by its uid while it lives', async () => {
      const sessions = adapterFor('Session');
      await sessions.upsert('s1', payloadOf('Session', 's1', { uid: 'uid-1' }), 60);
      await sessions.upsert('s2', payloadOf('Session', 's2', { uid: 'uid-2' }), 120);
      expect(await sessions.findByUid('uid-1')).toEqual(payloadOf('Session', 's1', { uid: 'uid-1' }));
      expect(await sessions.findByUid('uid-3')).toBeUndefined();
      expect(await adapterFor('Interaction').findByUid('uid-1')).toBeUndefined();
      now += 60_000;
      expect(await sessions.findByUid('uid-1')).toBeUndefined();
      expect(await sessions.findByUid('uid-2')).toBeDefined();
    });

    it('finds a device code by its user code while it lives', async () => {
      const devices = adapterFor('DeviceCode');
      await devices.upsert('d1', payloadOf('DeviceCode', 'd1', { userCode: 'WDJBMJHT', grantId: 'g1' }), 600);
      expect(await devices.findByUserCode('WDJBMJHT')).toMatchObject({ jti: 'd1', userCode: 'WDJBMJHT' });
      expect(await devices.findByUserCode('XXXXXXXX')).toBeUndefined();
      await devices.consume('d1');
      expect((await devices.findByUserCode('WDJBMJHT'))?.consumed).toBe(START / 1000);
      now += 600_000;
      expect(await devices.findByUserCode('WDJBMJHT')).toBeUndefined();
    });

    it('takes concurrent saves of one id, from two replicas, without failing; one of them wins', async () => {
      const other = await test.open();
      const Replica = createPayloadAdapter(() => other.forkUnscoped(), { now: () => now });
      const saves = Array.from({ length: 24 }, (_, n) => {
        const adapter = n % 2 === 0 ? adapterFor('Session') : new Replica('Session');
        return adapter.upsert('s1', payloadOf('Session', 's1', { uid: `uid-${n}`, loginTs: n }), 60);
      });
      await Promise.all(saves);
      const found = await adapterFor('Session').find('s1');
      const winner = found?.loginTs as number;
      expect(found).toEqual(payloadOf('Session', 's1', { uid: `uid-${winner}`, loginTs: winner }));
      expect(await database.forkUnscoped().count(OidcPayloadEntity, { kind: 'Session' })).toBe(1);
    });

    it('purges expired rows in bounded batches, keeping what lives', async () => {
      for (let n = 0; n < 5; n += 1) {
        await adapterFor('AccessToken').upsert(`old-${n}`, payloadOf('AccessToken', `old-${n}`), 60 + n);
      }
      await adapterFor('Session').upsert('live', payloadOf('Session', 'live', { uid: 'u' }), 3600);
      await adapterFor('Client').upsert('forever', payloadOf('Client', 'forever'));
      const later = new Date(START + 120_000);

      expect(await purgeExpiredOidcPayloads(database, { now: later, batchSize: 2, maxBatches: 2 })).toEqual({
        deleted: 4,
        batches: 2,
      });
      expect(await purgeExpiredOidcPayloads(database, { now: later, batchSize: 2 })).toEqual({
        deleted: 1,
        batches: 1,
      });
      expect(await purgeExpiredOidcPayloads(database, { now: later })).toEqual({ deleted: 0, batches: 0 });
      const left = await database.forkUnscoped().find(OidcPayloadEntity, {}, { orderBy: { id: 'asc' } });
      expect(left.map((row) => row.id)).toEqual(['forever', 'live']);
      await expect(purgeExpiredOidcPayloads(database, { now: later, batchSize: 0 })).rejects.toThrow(
        /batchSize must be a positive integer/,
      );
    });

    it("runs the purge as the scheduler's oidc-payload-purge job", async () => {
      await adapterFor('AccessToken').upsert('old', payloadOf('AccessToken', 'old'), 60);
      await adapterFor('AccessToken').upsert('new', payloadOf('AccessToken', 'new'), 3600);
      const jobs = createJobScheduler({
        database,
        logger: createLogger({ name: 'identity', level: 'silent' }),
        clock: () => new Date(START + 120_000),
        jobs: [oidcPayloadPurgeJob(database)],
      });
      const run = await jobs.runNow(OIDC_PAYLOAD_PURGE_JOB);
      await jobs.stop();
      expect(run).toEqual({ status: 'done', result: { deleted: 1, batches: 1 } });
      expect(await adapterFor('AccessToken').find('new')).toBeDefined();
      expect(oidcPayloadPurgeJob(database).schedule).toBe('*/15 * * * *');
    });

    describe('under a real oidc-provider', () => {
      let server: Server;
      let issuer: string;
      const client = { client_id: 'tributi-sync', client_secret: 'a-long-enough-client-secret-for-tests' };
      const app = { client_id: 'app-demo', client_secret: 'another-long-enough-secret-for-tests' };
      const redirectUri = 'http://127.0.0.1/callback';
      let provider: Provider;

      beforeAll(async () => {
        server = createServer();
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const { privateKey } = await generateKeyPair('ES256', { extractable: true });
        provider = new Provider(issuer, {
          adapter: createPayloadAdapter(() => database.forkUnscoped()),
          jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test', alg: 'ES256', use: 'sig' }] },
          ttl: { ClientCredentials: 600 },
          rotateRefreshToken: true,
          clients: [
            {
              ...client,
              grant_types: ['client_credentials'],
              response_types: [],
              redirect_uris: [],
              token_endpoint_auth_method: 'client_secret_post',
              id_token_signed_response_alg: 'ES256',
            },
            {
              ...app,
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code'],
              redirect_uris: [redirectUri],
              token_endpoint_auth_method: 'client_secret_post',
              id_token_signed_response_alg: 'ES256',
            },
          ],
          scopes: ['openid', 'offline_access', 'api:read'],
          features: {
            clientCredentials: { enabled: true },
            introspection: { enabled: true, allowedPolicy: () => true },
            revocation: { enabled: true, allowedPolicy: () => true },
            devInteractions: { enabled: false },
          },
        });
        const callback = provider.callback();
        server.on('request', (request, response) => {
          if (request.url?.startsWith('/interaction/')) {
            // The sign-in step: the person is Mario, who consents to what the app asked.
            void (async () => {
              const details = await provider.interactionDetails(request, response);
              const grant = new provider.Grant({
                accountId: MARIO,
                clientId: details.params.client_id as string,
              });
              grant.addOIDCScope(details.params.scope as string);
              const grantId = await grant.save();
              await provider.interactionFinished(request, response, {
                login: { accountId: MARIO },
                consent: { grantId },
              });
            })().catch((error: unknown) => {
              response.statusCode = 500;
              response.end(String(error));
            });
          } else {
            void callback(request, response);
          }
        });
      });
      afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

      const post = async (path: string, body: Record<string, string>, as = client) => {
        const response = await fetch(`${issuer}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...as, ...body }),
        });
        const text = await response.text();
        return {
          status: response.status,
          body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
        };
      };

      it('stores a client-credentials token it then introspects, and forgets it once revoked', async () => {
        const issued = await post('/token', { grant_type: 'client_credentials', scope: 'api:read' });
        expect(issued).toMatchObject({ status: 200 });
        const token = issued.body.access_token as string;

        const rows = await database.forkUnscoped().find(OidcPayloadEntity, { kind: 'ClientCredentials' });
        expect(rows).toHaveLength(1);
        expect(rows[0]!.payload).toMatchObject({ clientId: client.client_id, scope: 'api:read' });

        const active = await post('/token/introspection', { token });
        expect(active.body).toMatchObject({ active: true, client_id: client.client_id, scope: 'api:read' });

        expect((await post('/token/revocation', { token })).status).toBe(200);
        expect(await database.forkUnscoped().count(OidcPayloadEntity, { kind: 'ClientCredentials' })).toBe(0);
        expect((await post('/token/introspection', { token })).body).toEqual({ active: false });
      });

      it('signs a person in, rotates refresh tokens, and ends the grant when a used code comes back', async () => {
        // The browser: follows the provider's redirects, keeping its cookies, up to the app's callback.
        const cookies = new Map<string, string>();
        let location = `${issuer}/auth?${new URLSearchParams({
          client_id: app.client_id,
          response_type: 'code',
          redirect_uri: redirectUri,
          scope: 'openid offline_access',
          prompt: 'consent',
          code_challenge: CODE_CHALLENGE,
          code_challenge_method: 'S256',
        })}`;
        while (!location.startsWith(redirectUri)) {
          const response = await fetch(location, {
            redirect: 'manual',
            headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
          });
          for (const cookie of response.headers.getSetCookie()) {
            const [pair] = cookie.split(';');
            const at = pair!.indexOf('=');
            cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
          }
          expect(response.status, await response.clone().text()).toBe(303);
          location = new URL(response.headers.get('location')!, location).toString();
        }
        const code = new URL(location).searchParams.get('code')!;
        const stored = await database.forkUnscoped().find(OidcPayloadEntity, {}, { fields: ['kind'] });
        // The interaction was destroyed once the sign-in resumed; the session, grant and code live.
        expect(new Set(stored.map((row) => row.kind))).toEqual(
          new Set(['Session', 'Grant', 'AuthorizationCode']),
        );

        const redeem = {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: CODE_VERIFIER,
        };
        const tokens = await post('/token', redeem, app);
        expect(tokens).toMatchObject({ status: 200, body: { token_type: 'Bearer' } });
        const first = tokens.body.refresh_token as string;

        const refreshed = await post('/token', { grant_type: 'refresh_token', refresh_token: first }, app);
        expect(refreshed).toMatchObject({ status: 200 });
        const second = refreshed.body.refresh_token as string;
        expect(second).not.toBe(first);
        expect((await post('/token/introspection', { token: first }, app)).body).toEqual({ active: false });
        expect((await post('/token/introspection', { token: second }, app)).body).toMatchObject({
          active: true,
          sub: MARIO,
        });

        // The code again: consumed, so the provider ends its whole grant.
        expect(await post('/token', redeem, app)).toMatchObject({
          status: 400,
          body: { error: 'invalid_grant' },
        });
        expect((await post('/token/introspection', { token: second }, app)).body).toEqual({ active: false });
        expect(
          await database.forkUnscoped().count(OidcPayloadEntity, {
            kind: { $in: ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'Grant'] },
          }),
        ).toBe(0);
      });
    });
  });
}
