import * as oidc from 'openid-client';
import type { EventEnvelope } from '@sportello/schema';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMUNE, MARIO, type TestIdentity } from '../test-support/harness.js';
import {
  APP_REDIRECT,
  jtiOf,
  startIdentityWithApp,
  type AppTokens,
  type IdentityWithApp,
} from '../test-support/app-sign-in.js';
import { TestBrowser } from '../test-support/browser.js';
import { OidcPayloadEntity } from '../entities/oidc-payload.entity.js';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';
import { currentRevocations } from './revocations-route.js';

/**
 * Revoking an access token (or a sign-in, when a replaced refresh token comes back) reaches every
 * token verifier: identity announces each access token of the sign-in by its `jti` on the bus and in
 * its revocation list, and refuses it itself, while the citizen's other sign-ins go on.
 */
describe.each(DATABASE_DRIVERS)('access token revocation announced to every verifier on %s', (driver) => {
  let service: TestIdentity;
  let configuration: oidc.Configuration;
  let clientId: string;
  let heard: EventEnvelope[];
  /** Signs Mario in to the app, in `browser` (a new one unless given), and redeems the code. */
  let signIn: IdentityWithApp['signIn'];

  beforeAll(async () => {
    ({ service, configuration, clientId, heard, signIn } = await startIdentityWithApp(driver));
  });
  afterAll(() => service?.close());

  /** What `/oauth/userinfo` answers for an access token: its status. */
  const userinfo = async (token: string) =>
    (await fetch(`${service.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${token}` } })).status;

  const me = async (token: string) => {
    const answer = await service.graphql('{ me { givenName } }', { token });
    return answer.errors === undefined ? 'accepted' : String(answer.errors[0]?.extensions?.reason);
  };

  /** The token ids `access.revoked` named, once identity has committed them. */
  const revokedIds = () =>
    heard
      .map((envelope) => envelope.data as { reason: string; tokenId?: string })
      .filter((data) => data.reason === 'token-revoked')
      .map((data) => data.tokenId);

  /**
   * Signs Mario in to the app again in `browser`, after his sign-in `ended` was ended: the new
   * sign-in's tokens work, refreshed too, while the ended sign-in refreshes no more.
   */
  async function signInAgainAfter(browser: TestBrowser, ended: AppTokens): Promise<void> {
    const again = await signIn(browser);
    expect(await userinfo(again.access_token)).toBe(200);
    expect(await me(again.access_token)).toBe('accepted');
    const refreshed = await oidc.refreshTokenGrant(configuration, again.refresh_token!);
    expect(await me(refreshed.access_token)).toBe('accepted');
    await expect(oidc.refreshTokenGrant(configuration, ended.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  }

  it('announces a revoked access token by its id, refuses it, and lists it for verifiers that start later', async () => {
    const tokens = await signIn();
    const other = await signIn();
    expect(await me(tokens.access_token)).toBe('accepted');

    await oidc.tokenRevocation(configuration, tokens.access_token, { token_type_hint: 'access_token' });
    const id = jtiOf(tokens.access_token);
    await expect.poll(revokedIds).toContain(id);
    expect(revokedIds()).not.toContain(jtiOf(other.access_token));
    expect(await me(tokens.access_token)).toBe('TOKEN_REVOKED');
    expect(await me(other.access_token)).toBe('accepted');
    expect(await currentRevocations(service.identity.database)).toContainEqual(
      expect.objectContaining({ reason: 'token-revoked', tokenId: id, comune: COMUNE }),
    );
    // Revoking again announces nothing more.
    const before = heard.length;
    await oidc.tokenRevocation(configuration, tokens.refresh_token!);
    expect(heard.length).toBe(before);
  });

  it('announces every access token of a sign-in whose replaced refresh token came back', async () => {
    const tokens = await signIn();
    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect
      .poll(revokedIds)
      .toEqual(expect.arrayContaining([jtiOf(tokens.access_token), jtiOf(refreshed.access_token)]));
    expect(await me(refreshed.access_token)).toBe('TOKEN_REVOKED');
  });

  it('lets the citizen sign in again from the same browser after the app revoked its access token', async () => {
    const browser = new TestBrowser();
    const first = await signIn(browser);
    await oidc.tokenRevocation(configuration, first.access_token, { token_type_hint: 'access_token' });
    await expect.poll(revokedIds).toContain(jtiOf(first.access_token));
    expect(await me(first.access_token)).toBe('TOKEN_REVOKED');
    // The provider's grant of the ended sign-in is gone at once, with its refresh token.
    const em = service.identity.database.forkUnscoped();
    const { grantId } = await em.findOneOrFail(RefreshTokenEntity, {
      accessTokenId: jtiOf(first.access_token),
    });
    expect(grantId).toEqual(expect.any(String));
    expect(
      await em.count(OidcPayloadEntity, { $or: [{ kind: 'Grant', id: grantId! }, { grantId: grantId! }] }),
    ).toBe(0);

    // The provider remembers the browser: the new sign-in asks nothing, and is a new one; the ended
    // sign-in stays ended.
    await signInAgainAfter(browser, first);
    expect(await userinfo(first.access_token)).toBe(401);
  });

  it("revokes one of an app's client-credentials tokens alone, and only when the app itself asks", async () => {
    const admin = await service.devToken({ subject: 'admin.neri' });
    /** A confidential app: its id and the HTTP Basic header of its credentials. */
    const registerApp = async (name: string) => {
      const answer = await service.graphql(
        `mutation { registerApiClient(input: { name: "${name}", scopes: [OPENID, PROFILE], redirectUris: ["${APP_REDIRECT}"], confidential: true }) { clientSecret client { clientId } } }`,
        { token: admin },
      );
      const { clientSecret, client } = answer.data?.registerApiClient as {
        clientSecret: string;
        client: { clientId: string };
      };
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
      return { clientId: client.clientId, basic };
    };
    const app = await registerApp('Parking');
    const stranger = await registerApp('Weather');
    const tokenOf = async (basic: string) => {
      const answer = await service.post(
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: basic },
      );
      expect(answer.status).toBe(200);
      return ((await answer.json()) as { access_token: string }).access_token;
    };
    const first = await tokenOf(app.basic);
    const second = await tokenOf(app.basic);
    const scopes = async (token: string) => {
      const answer = await service.graphql('{ oauthScopes }', { token });
      return answer.errors === undefined ? 'accepted' : String(answer.errors[0]?.extensions?.reason);
    };
    const revoke = (token: string, basic: string) =>
      service.post('/oauth/revoke', { token, token_type_hint: 'access_token' }, { authorization: basic });

    // Another app presenting it is answered 200 (RFC 7009), and the token stays valid.
    expect((await revoke(first, stranger.basic)).status).toBe(200);
    expect(await service.introspect(first)).toMatchObject({ active: true, client_id: app.clientId });
    expect(await scopes(first)).toBe('accepted');

    expect((await revoke(first, app.basic)).status).toBe(200);
    await expect.poll(revokedIds).toContain(jtiOf(first));
    expect(revokedIds()).not.toContain(jtiOf(second));
    expect(await service.introspect(first)).toEqual({ active: false });
    expect(await service.introspect(second)).toMatchObject({ active: true, client_id: app.clientId });
    expect(await scopes(first)).toBe('TOKEN_REVOKED');
    expect(await scopes(second)).toBe('accepted');
    const listed = (await currentRevocations(service.identity.database)).filter(
      (revocation) => revocation.clientId === app.clientId,
    );
    expect(listed).toEqual([
      expect.objectContaining({ reason: 'token-revoked', tokenId: jtiOf(first), comune: COMUNE }),
    ]);
    // The app still gets new tokens.
    expect(await scopes(await tokenOf(app.basic))).toBe('accepted');
  });

  it("ends the provider's grants of the app's sign-ins as the citizen withdraws the app's grant", async () => {
    const signIns = [await signIn(), await signIn()];
    const em = service.identity.database.forkUnscoped();
    const grantIds = await Promise.all(
      signIns.map(
        async (tokens) =>
          (await em.findOneOrFail(RefreshTokenEntity, { accessTokenId: jtiOf(tokens.access_token) }))
            .grantId!,
      ),
    );
    /** The kinds of what the provider keeps of the sign-ins' grants: the grants, their codes and tokens. */
    const providerState = async () =>
      (
        await em.find(OidcPayloadEntity, {
          $or: [{ kind: 'Grant', id: { $in: grantIds } }, { grantId: { $in: grantIds } }],
        })
      )
        .map((row) => row.kind)
        .sort();
    /** Which of the sign-ins' grants the browsers' sessions name for the app. */
    const sessionGrants = async () =>
      (await em.find(OidcPayloadEntity, { kind: 'Session' }))
        .map((row) => (row.payload.authorizations as Record<string, { grantId?: string }>)[clientId]?.grantId)
        .filter((grantId) => grantId !== undefined && grantIds.includes(grantId))
        .sort();
    expect(await providerState()).toEqual([
      'AuthorizationCode',
      'AuthorizationCode',
      'Grant',
      'Grant',
      'RefreshToken',
      'RefreshToken',
    ]);
    expect(await sessionGrants()).toEqual([...grantIds].sort());

    const withdrawn = await service.graphql(`mutation { revokeAppGrant(clientId: "${clientId}") }`, {
      token: await service.devToken({ subject: MARIO }),
    });
    expect(withdrawn.data?.revokeAppGrant).toBe(true);

    expect(await providerState()).toEqual([]);
    expect(await sessionGrants()).toEqual([]);
    for (const tokens of signIns) {
      await expect(oidc.refreshTokenGrant(configuration, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    }
  });

  it('lets the citizen grant the app again from the same browser after withdrawing its grant', async () => {
    const browser = new TestBrowser();
    const first = await signIn(browser);
    const withdrawn = await service.graphql(`mutation { revokeAppGrant(clientId: "${clientId}") }`, {
      token: await service.devToken({ subject: MARIO }),
    });
    expect(withdrawn.data?.revokeAppGrant).toBe(true);

    // Asked for consent again and allowing, the citizen's new sign-in works.
    await signInAgainAfter(browser, first);
  });
});
