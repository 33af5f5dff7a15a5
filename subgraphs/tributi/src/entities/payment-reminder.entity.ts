import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { REMINDER_KINDS } from '../domain/vocabulary.js';

/**
 * A reminder event already emitted for an instalment, written in the same transaction as the
 * outbox row: the unique key makes a re-run (or a second replica) skip what was sent.
 */
export const PaymentReminderEntity = defineEntity({
  name: 'PaymentReminder',
  tableName: 'payment_reminder',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    instalmentId: p.uuid(),
    kind: p.enum(REMINDER_KINDS),
    /** Days before the due date for `due-soon`; 0 for `overdue`. */
    offsetDays: p.integer(),
    eventId: p.uuid(),
    sentAt: p.datetime(3),
  },
  uniques: [{ name: 'payment_reminder_once', properties: ['instalmentId', 'kind', 'offsetDays'] }],
});
export type PaymentReminder = InferEntity<typeof PaymentReminderEntity>;
