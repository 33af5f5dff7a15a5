import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PAYMENT_KINDS } from '@sportello/schema';
import { tenantProperties } from '@sportello/platform';
import { BULK_JOB_STATUSES } from '../domain/vocabulary.js';

/**
 * A bulk creation of positions (a TARI run for every household). Its items are rows of their own
 * (`bulk_job_item`), processed in batches; each batch commits its positions together with the new
 * `processed` count, so a crash leaves whole batches only and the next worker resumes from
 * `processed`. The items of a completed or cancelled job are deleted.
 */
export const BulkJobEntity = defineEntity({
  name: 'BulkJob',
  tableName: 'bulk_job',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    /** The office's key for this submission: a repeat returns this job (null before keys were asked). */
    idempotencyKey: p.string().length(100).nullable(),
    /** SHA-256 of the submission, to tell a repeat from another job under the same key. */
    requestHash: p.string().length(64).nullable(),
    status: p.enum(BULK_JOB_STATUSES).index(),
    kind: p.enum(PAYMENT_KINDS),
    year: p.integer(),
    description: p.string().length(90),
    /** `YYYY-MM-DD`, one per instalment. */
    dueDates: p.json<string[]>(),
    total: p.integer(),
    processed: p.integer(),
    createdBy: p.string().length(200),
    createdAt: p.datetime(3),
    startedAt: p.datetime(3).nullable(),
    finishedAt: p.datetime(3).nullable(),
    error: p.text().nullable(),
  },
  uniques: [{ name: 'bulk_job_idempotency_key_unique', properties: ['comune', 'idempotencyKey'] }],
});
export type BulkJob = InferEntity<typeof BulkJobEntity>;
