import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { EventEnvelope } from '@sportello/schema';
import { tenantProperties } from '../database/tenancy.js';

/**
 * One event waiting to be (or already) published, written in the same transaction as the change
 * it announces. `createDatabase` adds this entity to every service, so each service migration set
 * carries the `outbox_message` table.
 */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox_message',
  properties: {
    /** The event id (UUID v7), also the bus de-duplication key. */
    id: p.uuid().primary(),
    type: p.string().length(100),
    busSubject: p.string().length(255),
    /** The event's `subject` (the entity it is about): the relay keeps order per subject. */
    subject: p.string().length(200),
    /** The whole envelope, as published. */
    payload: p.json<EventEnvelope>(),
    ...tenantProperties(),
    createdAt: p.datetime(3),
    publishedAt: p.datetime(3).nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
  },
  indexes: [{ name: 'outbox_message_pending_idx', properties: ['publishedAt', 'createdAt'] }],
});

export type OutboxMessage = InferEntity<typeof OutboxMessage>;
