import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Who runs a scheduled job, and until when: one row per job in the database of the service that
 * schedules it. Replicas take the lease with one conditional update, so a slot runs once; a lease
 * left by a replica that died expires at `until` and another replica takes the job over.
 *
 * A service that schedules jobs lists this entity with its own, so its migrations create the table.
 */
export const JobLease = defineEntity({
  name: 'JobLease',
  tableName: 'job_lease',
  properties: {
    /** The job's name, unique in the database (e.g. `payment-reminders`). */
    name: p.string().length(100).primary(),
    /** The replica running the job now; `null` between runs. */
    holder: p.string().length(200).nullable(),
    /** When the lease ends unless its holder renews it; the epoch between runs. */
    until: p.datetime(3),
    /** The latest slot (its scheduled instant) the job completed. */
    doneSlot: p.datetime(3).nullable(),
  },
});

export type JobLease = InferEntity<typeof JobLease>;
