import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';
import type { Language, PaymentNotice } from '../channels/channel.js';
import type { TemplateInput } from '../templates/render-template.js';

/**
 * What a source event is to tell people, kept once per event: the template input in every language,
 * rendered per recipient when the dispatcher sends. Deliveries point at it by event id.
 */
export const NotificationEntity = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  properties: {
    eventId: p.uuid().primary(),
    ...tenantProperties(),
    eventType: p.string().length(100),
    category: p.string().length(40),
    critical: p.boolean(),
    messages: p.json<Record<Language, TemplateInput>>(),
    payment: p.json<PaymentNotice>().nullable(),
    dueDate: p.string().length(10).nullable(),
    occurredAt: p.bigint('number'),
    createdAt: p.bigint('number').index(),
    /** Set once every recipient has a delivery. */
    plannedAt: p.bigint('number').nullable(),
  },
});
export type Notification = InferEntity<typeof NotificationEntity>;
