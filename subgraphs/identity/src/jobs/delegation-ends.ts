import { civilDate, everyMinutes, recordEvent, type Database, type ScheduledJob } from '@sportello/platform';
import { createEvent, decodeFiscalCode } from '@sportello/schema';
import { DelegationEntity, type Delegation } from '../entities/delegation.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';
import { majorityDay, minorDelegationEnd } from '../domain/delegation.js';

/** Ends older than this when first seen (identity was down, or they predate the job) pass in silence. */
const ANNOUNCE_LOOKBACK_MS = 7 * 86_400_000;

/** The actor of the changes the job makes. */
const JOB_ACTOR = { kind: 'system', id: 'delegation-ends' } as const;

/** What one round of {@link runDelegationEndsJob} did. */
export interface DelegationEndsResult {
  /** Open-ended minor-child delegations given their end at the 18th birthday. */
  bounded: number;
  /** Ends announced with `delegation.ended` (and `access.revoked`). */
  announced: number;
}

/**
 * The birth date of a child of a delegation recorded without an end, from the fiscal code: for the
 * young it is exact (no century doubt), and the job never waits on another service (in one process,
 * anagrafe may not be listening yet when identity starts).
 */
function childBirthDate(delegation: Delegation, now: Date): string {
  return decodeFiscalCode(delegation.delegatorFiscalCode, { today: now }).birthDate;
}

/**
 * The daily work on delegation ends, in every comune of the database:
 *
 * 1. a minor-child delegation without an end (recorded before ends were set) gets one: the start
 *    of the child's 18th birthday, from the birth date in the fiscal code;
 * 2. a delegation whose `validUntil` has passed (and was not revoked) is announced once, in one
 *    transaction: `delegation.ended` for the notifier to tell both people (reason `majority` at a
 *    child's 18th birthday) and `access.revoked`, so tokens still carrying the delegation stop at
 *    once in every service. An end older than a week when first seen is only marked.
 *
 * Idempotent: a second run the same day finds nothing to do; replicas may run it together (the
 * announcement is written only by the transaction that marks it).
 */
export async function runDelegationEndsJob(
  database: Database,
  options: { now: Date },
): Promise<DelegationEndsResult> {
  const { now } = options;
  const result: DelegationEndsResult = { bounded: 0, announced: 0 };

  const openEnded = await database
    .forkUnscoped()
    .find(DelegationEntity, { kind: 'minor-child', validUntil: null, revokedAt: null });
  for (const row of openEnded) {
    const em = database.fork({ comune: row.comune });
    const delegation = await em.findOne(DelegationEntity, { id: row.id, validUntil: null });
    if (delegation === null) continue;
    delegation.validUntil = minorDelegationEnd(childBirthDate(delegation, now));
    await em.flush();
    result.bounded += 1;
  }

  const ended = await database
    .forkUnscoped()
    .find(
      DelegationEntity,
      { validUntil: { $lte: now }, revokedAt: null, endAnnouncedAt: null },
      { fields: ['id', 'comune'], orderBy: { validUntil: 'asc' } },
    );
  for (const row of ended) {
    const em = database.fork({ comune: row.comune });
    const announced = await em.transactional(async (tx) => {
      const delegation = await tx.findOne(DelegationEntity, { id: row.id, endAnnouncedAt: null });
      if (delegation === null || delegation.validUntil == null) return false;
      delegation.endAnnouncedAt = now;
      const endedAt = delegation.validUntil;
      if (now.getTime() - endedAt.getTime() > ANNOUNCE_LOOKBACK_MS) return false;
      const majority =
        delegation.kind === 'minor-child' &&
        civilDate(endedAt) ===
          majorityDay(decodeFiscalCode(delegation.delegatorFiscalCode, { today: endedAt }).birthDate);
      recordEvent(
        tx,
        createEvent('delegation.ended', {
          comune: delegation.comune,
          subject: delegation.delegatorFiscalCode,
          actor: JOB_ACTOR,
          occurredAt: now,
          data: {
            delegationId: delegation.id,
            kind: delegation.kind,
            delegator: delegation.delegatorFiscalCode,
            delegate: delegation.delegateFiscalCode,
            reason: majority ? 'majority' : 'expired',
            endedAt: endedAt.toISOString(),
            ...(majority ? { majorityOn: civilDate(endedAt) } : {}),
          },
        }),
      );
      recordAccessRevoked(
        tx,
        delegation.comune,
        {
          reason: 'delegation-revoked',
          revokedAt: now.toISOString(),
          fiscalCode: delegation.delegateFiscalCode,
          actsFor: delegation.delegatorFiscalCode,
        },
        JOB_ACTOR,
      );
      return true;
    });
    if (announced) result.announced += 1;
  }
  return result;
}

/** The name of the delegation-ends job (its lease, its log lines). */
export const DELEGATION_ENDS_JOB = 'delegation-ends';

/**
 * The delegation-ends job for the platform scheduler: every `intervalMinutes` (0: only when asked),
 * and at start when a slot was missed, so a delegation ending at midnight is announced within the
 * interval.
 */
export function delegationEndsJob(database: Database, intervalMinutes: number): ScheduledJob {
  return {
    name: DELEGATION_ENDS_JOB,
    schedule: everyMinutes(intervalMinutes),
    run: ({ now }) => runDelegationEndsJob(database, { now }),
  };
}
