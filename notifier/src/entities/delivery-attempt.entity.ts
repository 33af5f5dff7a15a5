import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';

/** How one provider call ended; `null` while it is in flight. */
export const ATTEMPT_OUTCOMES = ['sent', 'retryable', 'permanent', 'uncertain', 'resend'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One provider call for a delivery: every attempt is kept, for staff and for the dead-letter list. */
export const DeliveryAttemptEntity = defineEntity({
  name: 'DeliveryAttempt',
  tableName: 'delivery_attempt',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    deliveryId: p.uuid().index(),
    attempt: p.integer(),
    startedAt: p.bigint('number'),
    finishedAt: p.bigint('number').nullable(),
    outcome: p.string().length(16).$type<AttemptOutcome>().nullable(),
    /** Why it failed, already free of personal data. */
    reason: p.string().length(500).nullable(),
  },
});
export type DeliveryAttempt = InferEntity<typeof DeliveryAttemptEntity>;
