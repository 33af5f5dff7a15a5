import { everyMinutes, REVOCATION_RETENTION_MS, type Database, type ScheduledJob } from '@sportello/platform';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';

/** The name of the job deleting the records of expired access tokens (its lease, its log lines). */
export const ACCESS_TOKEN_PURGE_JOB = 'access-token-purge';

/** Where a purge stopped: the last record it read, in its order (expiry, then id). */
export interface AccessTokenPurgeCursor {
  expiresAt: Date;
  id: string;
}

/** Options of {@link purgeAccessTokenRecords}. */
export interface AccessTokenPurgeOptions {
  now: Date;
  /**
   * How long a sign-in may go on after the last token it issued: the refresh tokens' maximum age
   * (`REFRESH_TOKEN_MAX_AGE_SECONDS`), which also bounds the provider's grant.
   */
  signInMaxAgeSeconds: number;
  /** Start after this record (a previous run stopped there); from the oldest when absent. */
  after?: AccessTokenPurgeCursor;
  /** Records read per statement. @default 500 */
  batchSize?: number;
  /** Reads per run at most; what is left waits for the next run. @default 200 */
  maxBatches?: number;
}

/** What one run of {@link purgeAccessTokenRecords} did. */
export interface AccessTokenPurgeResult {
  /** Records deleted. */
  deleted: number;
  /** Batches read (and, where some of it had expired, deleted). */
  batches: number;
  /** Where the run stopped before the end (`maxBatches` reached), for the next run to go on from. */
  next?: AccessTokenPurgeCursor;
}

/**
 * Deletes the records of access tokens (`refresh_token`, one per token, by `jti`) that no verifier
 * can accept any more: expired longer ago than the revocation window (`REVOCATION_RETENTION_MS`,
 * the longest token lifetime and clock skew), so revoking, introspecting or listing them finds
 * nothing live missing. Two records of each sign-in stay while the sign-in may still issue tokens
 * (its last token is younger than `signInMaxAgeSeconds` and the window): the first, which says
 * whose it was and since when (a reused code or refresh token withdraws only a consent older than
 * the sign-in), and the last; they carry its revocation, so a sign-in ended through an access token
 * refreshes no more. A sign-in past that age goes whole, and so does the record of an app's own
 * (client-credentials) token, which issues nothing after it.
 *
 * Reads oldest expiry first, a bounded batch per statement; the kept records are stepped over, and
 * a run stopped by `maxBatches` gives where the next may go on (`next`). A record is deleted only
 * when still expired, and a token issued meanwhile in its sign-in only makes it a middle one.
 * Idempotent; replicas may run it together.
 *
 * @throws RangeError for a batch size, batch count or sign-in age that is not a positive integer
 */
export async function purgeAccessTokenRecords(
  database: Pick<Database, 'forkUnscoped'>,
  options: AccessTokenPurgeOptions,
): Promise<AccessTokenPurgeResult> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 200;
  for (const [name, value] of [
    ['batchSize', batchSize],
    ['maxBatches', maxBatches],
    ['signInMaxAgeSeconds', options.signInMaxAgeSeconds],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  const now = options.now.getTime();
  const expired = { expiresAt: { $lte: new Date(now - REVOCATION_RETENTION_MS) } };
  /** A sign-in whose last token was issued before this issues no more. */
  const endedBefore = now - options.signInMaxAgeSeconds * 1000 - REVOCATION_RETENTION_MS;
  const result: AccessTokenPurgeResult = { deleted: 0, batches: 0 };
  let after = options.after;
  while (result.batches < maxBatches) {
    const em = database.forkUnscoped();
    const rows = await em.find(
      RefreshTokenEntity,
      after === undefined
        ? expired
        : {
            ...expired,
            $or: [
              { expiresAt: { $gt: after.expiresAt } },
              { expiresAt: after.expiresAt, id: { $gt: after.id } },
            ],
          },
      {
        fields: ['id', 'familyId', 'fiscalCode', 'staffUsername', 'issuedAt', 'expiresAt'],
        orderBy: { expiresAt: 'asc', id: 'asc' },
        limit: batchSize,
      },
    );
    if (rows.length === 0) {
      after = undefined;
      break;
    }
    result.batches += 1;
    const last = rows.at(-1)!;
    after = { expiresAt: last.expiresAt, id: last.id };

    const families = [...new Set(rows.map((row) => row.familyId))];
    const members = await em.find(
      RefreshTokenEntity,
      { familyId: { $in: families } },
      { fields: ['familyId', 'issuedAt'] },
    );
    const span = new Map<string, { first: number; last: number }>();
    for (const member of members) {
      const at = member.issuedAt.getTime();
      const known = span.get(member.familyId);
      span.set(member.familyId, {
        first: Math.min(known?.first ?? at, at),
        last: Math.max(known?.last ?? at, at),
      });
    }
    const gone = rows
      .filter((row) => {
        // An app's own token (client credentials) is no sign-in: nothing of it is kept.
        if (row.fiscalCode == null && row.staffUsername == null) return true;
        const family = span.get(row.familyId);
        if (family === undefined || family.last < endedBefore) return true;
        const at = row.issuedAt.getTime();
        return at > family.first && at < family.last;
      })
      .map((row) => row.id);
    if (gone.length > 0) {
      result.deleted += await em.nativeDelete(RefreshTokenEntity, { id: { $in: gone }, ...expired });
    }
    if (rows.length < batchSize) {
      after = undefined;
      break;
    }
  }
  if (after !== undefined) result.next = after;
  return result;
}

/**
 * The purge of expired access-token records for the platform scheduler: every `intervalMinutes`
 * (0: only when asked), each run going on where the previous one stopped, if it did.
 */
export function accessTokenPurgeJob(
  database: Pick<Database, 'forkUnscoped'>,
  options: { signInMaxAgeSeconds: number; intervalMinutes?: number; batchSize?: number; maxBatches?: number },
): ScheduledJob {
  const { intervalMinutes = 15, ...limits } = options;
  let after: AccessTokenPurgeCursor | undefined;
  return {
    name: ACCESS_TOKEN_PURGE_JOB,
    schedule: everyMinutes(intervalMinutes),
    async run({ now }) {
      const result = await purgeAccessTokenRecords(database, {
        now,
        ...limits,
        ...(after === undefined ? {} : { after }),
      });
      after = result.next;
      return { deleted: result.deleted, batches: result.batches };
    },
  };
}
