import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { createJobScheduler, createLogger, JobLease } from '@sportello/platform';
import type { EventEnvelope } from '@sportello/schema';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';
import {
  APP_REDIRECT,
  jtiOf,
  startIdentityWithApp,
  type IdentityWithApp,
} from '../test-support/app-sign-in.js';
import { COMUNE, MARIO, type TestIdentity } from '../test-support/harness.js';
import {
  ACCESS_TOKEN_PURGE_JOB,
  accessTokenPurgeJob,
  purgeAccessTokenRecords,
} from './access-token-purge.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The refresh tokens' maximum age the tests purge with (the default, 30 days). */
const MAX_AGE_SECONDS = 30 * 86_400;

describe.each(DATABASE_DRIVERS)('the access-token-purge job on %s', (driver) => {
  let service: TestIdentity;
  let configuration: oidc.Configuration;
  let heard: EventEnvelope[];
  /** Mario signs in to the app through the provider; the app redeems the code. */
  let signIn: IdentityWithApp['signIn'];

  beforeAll(async () => {
    ({ service, configuration, heard, signIn } = await startIdentityWithApp(driver));
  });
  afterAll(() => service?.close());

  const me = async (token: string) => {
    const answer = await service.graphql('{ me { givenName } }', { token });
    return answer.errors === undefined ? 'accepted' : String(answer.errors[0]?.extensions?.reason);
  };

  /** Records access tokens of one sign-in issued at the given instants, as the provider does. */
  async function recordSignIn(...issued: number[]): Promise<string> {
    const familyId = randomUUID();
    const em = service.identity.database.fork({ comune: COMUNE });
    for (const at of issued) {
      const accessTokenId = randomUUID();
      em.create(RefreshTokenEntity, {
        comune: COMUNE,
        tokenDigest: `access:${accessTokenId}`,
        familyId,
        clientId: configuration.clientMetadata().client_id,
        fiscalCode: MARIO,
        staffUsername: null,
        scopes: ['openid'],
        authTime: new Date(issued[0]!),
        accessTokenId,
        issuedAt: new Date(at),
        expiresAt: new Date(at + 15 * 60_000),
        rotatedAt: null,
        revokedAt: null,
      });
    }
    await em.flush();
    return familyId;
  }

  /** When each record of the sign-in left was issued, oldest first. */
  const left = async (familyId: string) =>
    (
      await service.identity.database
        .forkUnscoped()
        .find(RefreshTokenEntity, { familyId }, { orderBy: { issuedAt: 'asc' } })
    ).map((record) => record.issuedAt.getTime());

  /** The sign-in's records, by the `jti` of their access tokens. */
  const recordedIds = async () =>
    (await service.identity.database.forkUnscoped().find(RefreshTokenEntity, {})).map(
      (record) => record.accessTokenId,
    );

  it('deletes the records of access tokens expired past the revocation window, and keeps the live ones', async () => {
    const now = Date.now();
    const live = await signIn();
    // A sign-in over for long (its last token 40 days ago), one refreshed every hour until 2 hours ago.
    const over = await recordSignIn(now - 42 * DAY, now - 41 * DAY, now - 40 * DAY);
    const going = await recordSignIn(now - 5 * HOUR, now - 4 * HOUR, now - 3 * HOUR, now - 2 * HOUR);

    const run = await purgeAccessTokenRecords(service.identity.database, {
      now: new Date(),
      signInMaxAgeSeconds: MAX_AGE_SECONDS,
    });

    expect(run.deleted).toBeGreaterThanOrEqual(5);
    expect(await left(over)).toEqual([]);
    // The sign-in that may still refresh keeps its first and last record (whose, since when, revoked?).
    expect(await left(going)).toEqual([now - 5 * HOUR, now - 2 * HOUR]);
    expect(await recordedIds()).toContain(jtiOf(live.access_token));
    expect(await service.introspect(live.access_token)).toMatchObject({ active: true, sub: MARIO });
    expect(
      await purgeAccessTokenRecords(service.identity.database, {
        now: new Date(),
        signInMaxAgeSeconds: MAX_AGE_SECONDS,
      }),
    ).toMatchObject({ deleted: 0 });
  });

  it('still revokes a live sign-in after a purge: its tokens are refused and announced', async () => {
    const tokens = await signIn();
    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    await purgeAccessTokenRecords(service.identity.database, {
      now: new Date(),
      signInMaxAgeSeconds: MAX_AGE_SECONDS,
    });

    await oidc.tokenRevocation(configuration, refreshed.access_token, { token_type_hint: 'access_token' });

    await expect
      .poll(() => heard.map((envelope) => (envelope.data as { tokenId?: string }).tokenId))
      .toEqual(expect.arrayContaining([jtiOf(tokens.access_token), jtiOf(refreshed.access_token)]));
    expect(await service.introspect(refreshed.access_token)).toEqual({ active: false });
    expect(await me(refreshed.access_token)).toBe('TOKEN_REVOKED');
    await expect(oidc.refreshTokenGrant(configuration, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('keeps a sign-in revoked through an access token from refreshing once its tokens expired and were purged', async () => {
    const tokens = await signIn();
    const second = await oidc.refreshTokenGrant(configuration, tokens.refresh_token!);
    const third = await oidc.refreshTokenGrant(configuration, second.refresh_token!);
    await oidc.tokenRevocation(configuration, third.access_token, { token_type_hint: 'access_token' });
    expect(await service.introspect(third.access_token)).toEqual({ active: false });

    // Two hours on, every access token of the sign-in has expired; its refresh token has not.
    await purgeAccessTokenRecords(service.identity.database, {
      now: new Date(Date.now() + 2 * HOUR),
      signInMaxAgeSeconds: MAX_AGE_SECONDS,
    });
    const ids = await recordedIds();
    expect(ids).toContain(jtiOf(tokens.access_token));
    expect(ids).not.toContain(jtiOf(second.access_token));
    expect(ids).toContain(jtiOf(third.access_token));
    await expect(oidc.refreshTokenGrant(configuration, third.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it("deletes the record of an app's own (client-credentials) token once expired, the live one kept", async () => {
    const admin = await service.devToken({ subject: 'admin.neri' });
    const answer = await service.graphql(
      `mutation { registerApiClient(input: { name: "Parking", scopes: [PROFILE], redirectUris: ["${APP_REDIRECT}"], confidential: true }) { clientSecret client { clientId } } }`,
      { token: admin },
    );
    const { clientSecret, client } = answer.data?.registerApiClient as {
      clientSecret: string;
      client: { clientId: string };
    };
    const issue = async () =>
      jtiOf(
        (
          (await (
            await service.post('/oauth/token', {
              grant_type: 'client_credentials',
              client_id: client.clientId,
              client_secret: clientSecret,
            })
          ).json()) as { access_token: string }
        ).access_token,
      );
    const issued = await issue();
    expect(await recordedIds()).toContain(issued);

    // Two hours on the token has expired, past the revocation window: nothing of it is kept.
    await purgeAccessTokenRecords(service.identity.database, {
      now: new Date(Date.now() + 2 * HOUR),
      signInMaxAgeSeconds: MAX_AGE_SECONDS,
    });
    const live = await issue();
    await purgeAccessTokenRecords(service.identity.database, {
      now: new Date(),
      signInMaxAgeSeconds: MAX_AGE_SECONDS,
    });
    const ids = await recordedIds();
    expect(ids).not.toContain(issued);
    expect(ids).toContain(live);
  });

  it('steps over the records it keeps, each run going on where the previous one stopped', async () => {
    const now = Date.now();
    // Three sign-ins still refreshing: their first records are the oldest to expire, and stay.
    const signIns = [];
    for (let n = 0; n < 3; n += 1) {
      signIns.push(
        await recordSignIn(now - 10 * DAY - n * HOUR, now - 9 * DAY - n * HOUR, now - 8 * DAY - n * HOUR),
      );
    }
    const jobs = createJobScheduler({
      database: service.identity.database,
      logger: createLogger({ name: 'identity', level: 'silent' }),
      clock: () => new Date(now),
      jobs: [
        accessTokenPurgeJob(service.identity.database, {
          signInMaxAgeSeconds: MAX_AGE_SECONDS,
          batchSize: 2,
          maxBatches: 1,
        }),
      ],
    });
    let deleted = 0;
    for (let run = 0; run < 8; run += 1) {
      const done = await jobs.runNow(ACCESS_TOKEN_PURGE_JOB);
      expect(done.status).toBe('done');
      deleted += (done as { result: { deleted: number } }).result.deleted;
    }
    await jobs.stop();
    for (const [n, familyId] of signIns.entries()) {
      expect(await left(familyId)).toEqual([now - 10 * DAY - n * HOUR, now - 8 * DAY - n * HOUR]);
    }
    expect(deleted).toBeGreaterThanOrEqual(3);
    await expect(
      purgeAccessTokenRecords(service.identity.database, { now: new Date(), signInMaxAgeSeconds: 0 }),
    ).rejects.toThrow(/signInMaxAgeSeconds must be a positive integer/);
  });

  it('is on the scheduler every 15 minutes: identity catches up its latest slot at start', async () => {
    const leaseOf = () =>
      service.identity.database.forkUnscoped().findOne(JobLease, { name: ACCESS_TOKEN_PURGE_JOB });
    await expect.poll(async () => (await leaseOf())?.doneSlot, { timeout: 30_000 }).toBeInstanceOf(Date);
    expect((await leaseOf())!.doneSlot!.getTime() % (15 * 60_000)).toBe(0);
    expect(
      accessTokenPurgeJob(service.identity.database, { signInMaxAgeSeconds: MAX_AGE_SECONDS }).schedule,
    ).toBe('*/15 * * * *');
  });
});
