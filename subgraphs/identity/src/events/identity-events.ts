import { recordEvent, type EntityManager } from '@sportello/platform';
import { createEvent, type Actor, type EventDataInput } from '@sportello/schema';
import type { Citizen } from '../entities/citizen.entity.js';

/** Events identity publishes about a citizen, with the data each one adds to the citizen's keys. */
export interface CitizenEventData {
  'citizen.registered': Record<string, never>;
  'citizen.contact-verified': { channel: 'email' };
  'citizen.telegram-linked': Record<string, never>;
  'citizen.telegram-unlinked': { reason: 'citizen' | 'blocked' };
  'citizen.preferences-changed': { changed: string[] };
}

/**
 * Queues a citizen event (validated against the catalogue) in the outbox of `em`, so it is stored
 * by the same flush as the change it announces. The subject is the fiscal code (the entity's public
 * key); contact values never travel on the bus.
 */
export function recordCitizenEvent<T extends keyof CitizenEventData>(
  em: EntityManager,
  type: T,
  citizen: Citizen,
  actor: Actor | null,
  data: CitizenEventData[T],
  now = new Date(),
): void {
  const event = createEvent(type, {
    comune: citizen.comune,
    subject: citizen.fiscalCode,
    actor,
    occurredAt: now,
    // The catalogue validates the data at run time; the generic cannot be narrowed statically.
    data: { citizenId: citizen.id, fiscalCode: citizen.fiscalCode, ...data } as unknown as EventDataInput<T>,
  });
  recordEvent(em, event);
}

/**
 * Queues `access.revoked` in the outbox of `em`, stored by the same flush as the change that ends the
 * tokens (a client revoked, a delegation revoked, a staff member disabled...), so every service
 * learns of it even if identity stops right after the commit.
 */
export function recordAccessRevoked(
  em: EntityManager,
  comune: string,
  revocation: EventDataInput<'access.revoked'>,
  actor: Actor | null,
): void {
  recordEvent(
    em,
    createEvent('access.revoked', {
      comune,
      subject: revocation.clientId ?? revocation.username ?? revocation.fiscalCode ?? revocation.reason,
      actor,
      occurredAt: new Date(revocation.revokedAt),
      data: revocation,
    }),
  );
}
