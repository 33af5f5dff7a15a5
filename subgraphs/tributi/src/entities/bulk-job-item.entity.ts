import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';

/**
 * One line of a bulk run: a payer and what they owe, at its place (`seq`, from 0) in the run. A
 * batch reads only its own rows (`seq` from the job's `processed` on), never the whole run.
 */
export const BulkJobItemEntity = defineEntity({
  name: 'BulkJobItem',
  tableName: 'bulk_job_item',
  properties: {
    jobId: p.uuid().primary(),
    seq: p.integer().primary(),
    ...tenantProperties(),
    payerFiscalCode: p.string().length(16),
    amountCents: p.bigint('number'),
    externalRef: p.string().length(100).nullable(),
    description: p.string().length(90).nullable(),
  },
});
export type BulkJobItemRow = InferEntity<typeof BulkJobItemEntity>;
