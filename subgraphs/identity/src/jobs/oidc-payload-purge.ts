import { everyMinutes, type Database, type ScheduledJob } from '@sportello/platform';
import { OidcPayloadEntity } from '../entities/oidc-payload.entity.js';

/** The name of the job deleting the OpenID provider's expired rows (its lease, its log lines). */
export const OIDC_PAYLOAD_PURGE_JOB = 'oidc-payload-purge';

/** Options of {@link purgeExpiredOidcPayloads}. */
export interface OidcPayloadPurgeOptions {
  /** Rows expired at or before this instant are deleted. */
  now: Date;
  /** Rows deleted per statement. @default 500 */
  batchSize?: number;
  /** Statements per run at most; what is left waits for the next run. @default 200 */
  maxBatches?: number;
}

/** What one run of {@link purgeExpiredOidcPayloads} did. */
export interface OidcPayloadPurgeResult {
  /** Expired rows deleted. */
  deleted: number;
  /** Delete statements run. */
  batches: number;
}

/**
 * Deletes the OpenID provider's rows (`oidc_payload`) that expired at or before `now`, oldest first,
 * a bounded batch per statement, so neither a long lock nor (on SQLite, whose statements run on the
 * event loop shared by the embedded hub) a long stall follows a backlog. A row saved again with a
 * later expiry between the read of a batch and its delete is kept. Idempotent; replicas may run it
 * together.
 *
 * @throws RangeError for a batch size or a batch count that is not a positive integer
 */
export async function purgeExpiredOidcPayloads(
  database: Pick<Database, 'forkUnscoped'>,
  options: OidcPayloadPurgeOptions,
): Promise<OidcPayloadPurgeResult> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 200;
  for (const [name, value] of [
    ['batchSize', batchSize],
    ['maxBatches', maxBatches],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  const expired = { expiresAt: { $lte: options.now } };
  const result: OidcPayloadPurgeResult = { deleted: 0, batches: 0 };
  while (result.batches < maxBatches) {
    const em = database.forkUnscoped();
    const rows = await em.find(OidcPayloadEntity, expired, {
      fields: ['kind', 'id'],
      orderBy: { expiresAt: 'asc' },
      limit: batchSize,
    });
    if (rows.length === 0) break;
    const idsByKind = new Map<string, string[]>();
    for (const row of rows) {
      idsByKind.set(row.kind, [...(idsByKind.get(row.kind) ?? []), row.id]);
    }
    for (const [kind, ids] of idsByKind) {
      result.deleted += await em.nativeDelete(OidcPayloadEntity, { kind, id: { $in: ids }, ...expired });
    }
    result.batches += 1;
    if (rows.length < batchSize) break;
  }
  return result;
}

/**
 * The purge of the OpenID provider's expired rows for the platform scheduler: every
 * `intervalMinutes` (0: only when asked). Expired rows are already invisible to the provider; the
 * job only keeps the table (and its indexes) the size of what is live.
 */
export function oidcPayloadPurgeJob(
  database: Pick<Database, 'forkUnscoped'>,
  options: { intervalMinutes?: number; batchSize?: number; maxBatches?: number } = {},
): ScheduledJob {
  const { intervalMinutes = 15, ...limits } = options;
  return {
    name: OIDC_PAYLOAD_PURGE_JOB,
    schedule: everyMinutes(intervalMinutes),
    run: ({ now }) => purgeExpiredOidcPayloads(database, { now, ...limits }),
  };
}
