import type { Database } from '../database/database.js';
import { JobLease } from './job-lease.entity.js';

/** `until` of a lease nobody holds: earlier than any clock, even a test's. */
const FREE = new Date(0);

/** What a replica asks for when it wants to run a job. */
export interface LeaseClaim {
  name: string;
  holder: string;
  now: Date;
  leaseMs: number;
  /** The slot to run; the claim fails when it (or a later one) was already completed. */
  slot?: Date;
}

/**
 * Takes a job's lease, in one conditional update (atomic on PostgreSQL and SQLite alike): it
 * succeeds only when nobody holds the lease or the holder's lease has ended, and, for a slot, when
 * no run completed that slot already.
 *
 * @returns whether this replica now holds the lease
 */
export async function claimLease(database: Database, claim: LeaseClaim): Promise<boolean> {
  const em = database.forkUnscoped();
  // The first claim of a job creates its row; every later one only updates it.
  await em
    .createQueryBuilder(JobLease)
    .insert({ name: claim.name, holder: null, until: FREE, doneSlot: null })
    .onConflict('name')
    .ignore()
    .execute();
  const notDone =
    claim.slot === undefined ? {} : { $or: [{ doneSlot: null }, { doneSlot: { $lt: claim.slot } }] };
  const taken = await em.nativeUpdate(
    JobLease,
    { name: claim.name, until: { $lte: claim.now }, ...notDone },
    { holder: claim.holder, until: new Date(claim.now.getTime() + claim.leaseMs) },
  );
  return taken === 1;
}

/**
 * Extends a lease its holder still has.
 *
 * @returns `false` when the lease was lost (it ended and another replica took it)
 */
export async function renewLease(
  database: Database,
  lease: { name: string; holder: string; until: Date },
): Promise<boolean> {
  const renewed = await database
    .forkUnscoped()
    .nativeUpdate(JobLease, { name: lease.name, holder: lease.holder }, { until: lease.until });
  return renewed === 1;
}

/** Gives a lease back after a run; `doneSlot` records the slot the run completed. */
export async function releaseLease(
  database: Database,
  lease: { name: string; holder: string; doneSlot?: Date },
): Promise<void> {
  await database
    .forkUnscoped()
    .nativeUpdate(
      JobLease,
      { name: lease.name, holder: lease.holder },
      { holder: null, until: FREE, ...(lease.doneSlot === undefined ? {} : { doneSlot: lease.doneSlot }) },
    );
}

/** A job's lease as stored, if the job ever ran here. */
export async function readLease(database: Database, name: string): Promise<JobLease | null> {
  return database.forkUnscoped().findOne(JobLease, { name });
}
