import { decodeJwt } from 'jose';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { DASHBOARD_CLIENT_ID } from '../seed/index.js';
import { TestBrowser } from '../test-support/browser.js';
import {
  CHIARA,
  DASHBOARD_REDIRECT,
  MARIO,
  startIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';
const ISSUER = 'http://identity.test';

/** An authorization code is good for one redemption, with the verifier it was asked with. */
describe.each(DATABASE_DRIVERS)('authorization codes on %s', (driver) => {
  let service: TestIdentity;
  let admin: string;

  beforeAll(async () => {
    service = await startIdentity({}, driver);
    admin = await service.devToken({ subject: 'admin.neri' });
  });
  afterAll(() => service?.close());

  async function registerApp(): Promise<{ clientId: string; secret: string }> {
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Bus times", scopes: [OPENID, PROFILE], redirectUris: ["${REDIRECT}"], confidential: true }) { clientSecret client { clientId } } }`,
      { token: admin },
    );
    const registered = answer.data?.registerApiClient as {
      clientSecret: string;
      client: { clientId: string };
    };
    return { clientId: registered.client.clientId, secret: registered.clientSecret };
  }

  /** A citizen signs in and allows the app (consent when asked): the code the app receives. */
  async function codeFor(
    clientId: string,
    options: { citizen?: string; staff?: string; redirect?: string; scope?: string } = {},
  ): Promise<{ code: string; verifier: string }> {
    const verifier = generateOneTimeToken();
    const redirect = options.redirect ?? REDIRECT;
    const answer = await new TestBrowser().followSignIn(
      `${service.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirect,
        scope: options.scope ?? 'openid profile',
        code_challenge: s256Challenge(verifier),
        code_challenge_method: 'S256',
        ...(options.citizen === undefined ? {} : { login_hint: options.citizen }),
      })}`,
      {
        serviceUrl: service.url,
        issuer: ISSUER,
        stopAt: redirect,
        fields: options.staff === undefined ? { decision: 'allow' } : { staff_username: options.staff },
      },
    );
    const code = new URL(answer.headers.get('location') ?? '').searchParams.get('code');
    expect(code).toBeTruthy();
    return { code: code!, verifier };
  }

  const redeem = (fields: Record<string, string>) =>
    service.post('/oauth/token', { grant_type: 'authorization_code', redirect_uri: REDIRECT, ...fields });

  async function accessToken(response: Response): Promise<string> {
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  it('refuses a code redeemed twice and ends the tokens of its first redemption, at once', async () => {
    const heard: EventEnvelope[] = [];
    await service.bus.listen('sportello.>', (event) => heard.push(event));
    const app = await registerApp();
    const { code, verifier } = await codeFor(app.clientId, { citizen: MARIO });
    const fields = { code, code_verifier: verifier, client_id: app.clientId, client_secret: app.secret };
    const token = await accessToken(await redeem(fields));
    expect((await service.graphql('{ me { givenName } }', { token })).data?.me).toEqual({
      givenName: 'Mario',
    });

    const again = await redeem(fields);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');

    const refused = await service.graphql('{ me { givenName } }', { token });
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_REVOKED',
    });
    // Announced to every other verifier, naming the app and the citizen.
    const revoked = (reason: string) =>
      heard.filter(
        (event) => event.type === 'access.revoked' && (event.data as { reason: string }).reason === reason,
      );
    await expect
      .poll(() => revoked('grant-revoked'))
      .toContainEqual(
        expect.objectContaining({
          data: expect.objectContaining({ clientId: app.clientId, fiscalCode: MARIO }),
        }),
      );
    // ...and the access token by its id.
    expect(revoked('token-revoked')).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ tokenId: decodeJwt(token).jti }) }),
    );
    // The app has to ask the citizen again.
    const page = await new TestBrowser().followSignIn(
      `${service.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        code_challenge: s256Challenge(generateOneTimeToken()),
        code_challenge_method: 'S256',
        login_hint: MARIO,
      })}`,
      { serviceUrl: service.url, issuer: ISSUER, stopAt: REDIRECT },
    );
    expect(await page.text()).toContain('Consentire l’accesso?');
  });

  it("leaves the app's tokens for other citizens working when one citizen's code is reused", async () => {
    const app = await registerApp();
    const other = await codeFor(app.clientId, { citizen: CHIARA });
    const kept = await accessToken(
      await redeem({
        code: other.code,
        code_verifier: other.verifier,
        client_id: app.clientId,
        client_secret: app.secret,
      }),
    );
    const { code, verifier } = await codeFor(app.clientId, { citizen: MARIO });
    const fields = { code, code_verifier: verifier, client_id: app.clientId, client_secret: app.secret };
    await accessToken(await redeem(fields));
    expect((await redeem(fields)).status).toBe(400);
    expect((await service.graphql('{ me { givenName } }', { token: kept })).data?.me).toEqual({
      givenName: 'Chiara',
    });
  });

  it('ends the sign-in of a first-party app whose code is reused', async () => {
    const { code, verifier } = await codeFor(DASHBOARD_CLIENT_ID, {
      citizen: MARIO,
      redirect: DASHBOARD_REDIRECT,
      scope: 'openid',
    });
    const fields = {
      code,
      code_verifier: verifier,
      client_id: DASHBOARD_CLIENT_ID,
      redirect_uri: DASHBOARD_REDIRECT,
    };
    const token = await accessToken(await redeem(fields));
    expect(decodeJwt(token)).toMatchObject({ kind: 'citizen', sub: MARIO });
    expect((await redeem(fields)).status).toBe(400);
    const refused = await service.graphql('{ me { givenName } }', { token });
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.reason).toBe('TOKEN_REVOKED');
  });

  it('refuses a staff code redeemed twice', async () => {
    const { code, verifier } = await codeFor(DASHBOARD_CLIENT_ID, {
      staff: 'tributi.verdi',
      redirect: DASHBOARD_REDIRECT,
      scope: 'openid',
    });
    const fields = {
      code,
      code_verifier: verifier,
      client_id: DASHBOARD_CLIENT_ID,
      redirect_uri: DASHBOARD_REDIRECT,
    };
    await accessToken(await redeem(fields));
    const again = await redeem(fields);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('burns a code presented with a wrong verifier: the right one fails after', async () => {
    const app = await registerApp();
    const { code, verifier } = await codeFor(app.clientId, { citizen: MARIO });
    const base = { code, client_id: app.clientId, client_secret: app.secret };
    const wrong = await redeem({ ...base, code_verifier: generateOneTimeToken() });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
    const right = await redeem({ ...base, code_verifier: verifier });
    expect(right.status).toBe(400);
    expect(((await right.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('gives one token when the same code is redeemed twice at once', async () => {
    const app = await registerApp();
    const { code, verifier } = await codeFor(app.clientId, { citizen: MARIO });
    const fields = { code, code_verifier: verifier, client_id: app.clientId, client_secret: app.secret };
    const answers = await Promise.all([redeem(fields), redeem(fields)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
  });
});
