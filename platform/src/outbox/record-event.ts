import { envelopeSchema, type EventEnvelope } from '@sportello/schema';
import { subjectFor } from '../bus/subjects.js';
import type { EntityManager } from '../database/database.js';
import { OutboxMessage } from './outbox-message.entity.js';

/** Thrown when an event handed to `recordEvent` is not a valid envelope: a producer bug. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/**
 * Queues an event in the outbox of the EntityManager's unit of work: it is written by the same
 * flush (so the same transaction) as the entities it announces, and published by the relay only
 * once that commits. A flush that fails stores neither.
 *
 * The EM must be scoped to the event's comune (or unscoped), like any tenant-owned write.
 * @throws InvalidEventError when the envelope does not validate.
 */
export function recordEvent(em: EntityManager, event: EventEnvelope): OutboxMessage {
  const parsed = envelopeSchema.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`);
    throw new InvalidEventError(`cannot record event ${String(event.type)}: ${issues.join('; ')}`);
  }
  // Stored as plain JSON so what the relay publishes is exactly what a bus would carry.
  const payload = JSON.parse(JSON.stringify(event)) as EventEnvelope;
  return em.create(OutboxMessage, {
    id: event.id,
    type: event.type,
    busSubject: subjectFor(event),
    subject: event.subject,
    payload,
    comune: event.comune,
    createdAt: new Date(),
    publishedAt: null,
    attempts: 0,
    lastError: null,
  });
}
