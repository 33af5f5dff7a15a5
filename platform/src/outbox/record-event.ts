import { busSubject, checkEvent, type EventEnvelope } from '@sportello/schema';
import type { EntityManager } from '../database/database.js';
import { OutboxMessage } from './outbox-message.entity.js';

/**
 * Queues an event in the outbox of the EntityManager's unit of work: it is written by the same
 * flush (so the same transaction) as the entities it announces, and published by the relay only
 * once that commits. A flush that fails stores neither.
 *
 * The event is validated against the catalogue here, at the producer, so a malformed event fails
 * the mutation that made it instead of every consumer. The EM must be scoped to the event's comune
 * (or unscoped), like any tenant-owned write.
 *
 * @throws EventValidationError (from `@sportello/schema`) when the event does not match the catalogue.
 */
export function recordEvent(em: EntityManager, event: EventEnvelope): OutboxMessage {
  // What the relay publishes is exactly the validated, normalised JSON a bus would carry (a copy
  // known to be valid, so a relay of this process does not check it again).
  const payload: EventEnvelope = checkEvent(event).copy();
  return em.create(OutboxMessage, {
    id: payload.id,
    type: payload.type,
    busSubject: busSubject(payload),
    subject: payload.subject,
    payload,
    comune: payload.comune,
    createdAt: new Date(),
    publishedAt: null,
    attempts: 0,
    lastError: null,
  });
}
