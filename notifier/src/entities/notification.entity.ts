import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';
import type { EventEnvelope } from '@sportello/schema';
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
    /**
     * Planning progress, kept page by page: the last fiscal code of the audience whose deliveries are
     * recorded. A planner that was interrupted (a crash, a redelivery) goes on after it.
     */
    audienceCursor: p.string().length(16).nullable(),
    /** Recipients planned so far (progress for staff and metrics). */
    plannedRecipients: p.integer().default(0),
    /**
     * The event itself, so planning interrupted by a crash goes on as soon as the notifier starts
     * again, without waiting for the bus to hand the event out again. `null` on rows planned before
     * it was kept.
     */
    event: p.json<EventEnvelope>().nullable(),
  },
});
export type Notification = InferEntity<typeof NotificationEntity>;
