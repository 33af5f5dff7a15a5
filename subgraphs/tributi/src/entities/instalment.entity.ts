import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';
import { INSTALMENT_STATUSES } from '../domain/vocabulary.js';

/** One payable notice of a position, with its own notice number, amount and due date. */
export const InstalmentEntity = defineEntity({
  name: 'Instalment',
  tableName: 'instalment',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    positionId: p.uuid().index(),
    /** 1-based; `null` for a position paid in one go. */
    number: p.integer().nullable(),
    amountCents: p.bigint('number'),
    /** `YYYY-MM-DD`. */
    dueDate: p.string().length(10),
    noticeNumber: p.string().length(18),
    status: p.enum(INSTALMENT_STATUSES),
    paidAt: p.datetime(3).nullable(),
    paidAmountCents: p.bigint('number').nullable(),
    /** The payment provider's receipt id: the same receipt delivered again changes nothing. */
    receiptId: p.string().length(100).nullable(),
    /** Who delivered the receipt (`service:pagopa`, `client:<id>`). */
    receiptFrom: p.string().length(200).nullable(),
  },
  indexes: [{ name: 'instalment_due_idx', properties: ['status', 'dueDate'] }],
  uniques: [{ name: 'instalment_notice_unique', properties: ['noticeNumber'] }],
});
export type Instalment = InferEntity<typeof InstalmentEntity>;
