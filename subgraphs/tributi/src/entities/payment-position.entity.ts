import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PAYMENT_KINDS } from '@sportello/schema';
import { tenantProperties } from '@sportello/platform';
import { POSITION_STATUSES } from '../domain/vocabulary.js';

/**
 * What a payer owes the comune for one reason (a year's TARI, a fine...), paid through one notice
 * per instalment. Fine columns are set only for `kind = fine`.
 */
export const PaymentPositionEntity = defineEntity({
  name: 'PaymentPosition',
  tableName: 'payment_position',
  properties: {
    /** UUID v7: time-ordered, so it doubles as the pagination cursor. */
    id: p.uuid().primary(),
    ...tenantProperties(),
    kind: p.enum(PAYMENT_KINDS),
    year: p.integer(),
    /** Subject printed on the notice (at most 90 characters). */
    description: p.string().length(90),
    payerFiscalCode: p.string().length(16),
    creditorFiscalCode: p.string().length(11),
    amountCents: p.bigint('number'),
    status: p.enum(POSITION_STATUSES),
    /** The office's own reference (household id, fine record), unique per comune when given. */
    externalRef: p.string().length(100).nullable(),
    bulkJobId: p.uuid().nullable().index(),
    finePlate: p.string().length(20).nullable(),
    finePlace: p.string().length(200).nullable(),
    fineArticle: p.string().length(100).nullable(),
    fineViolatedAt: p.datetime(3).nullable(),
    /** Day the fine was notified, `YYYY-MM-DD`: the reduced amount applies for a few days after it. */
    fineNotifiedOn: p.string().length(10).nullable(),
    fineReducedAmountCents: p.bigint('number').nullable(),
    createdBy: p.string().length(200),
    createdAt: p.datetime(3),
    paidAt: p.datetime(3).nullable(),
    cancelledAt: p.datetime(3).nullable(),
    cancelledBy: p.string().length(200).nullable(),
    cancellationReason: p.string().length(500).nullable(),
  },
  indexes: [
    { name: 'payment_position_payer_idx', properties: ['comune', 'payerFiscalCode'] },
    { name: 'payment_position_kind_idx', properties: ['comune', 'kind', 'year', 'status'] },
  ],
  uniques: [{ name: 'payment_position_external_ref_unique', properties: ['comune', 'externalRef'] }],
});
export type PaymentPosition = InferEntity<typeof PaymentPositionEntity>;
