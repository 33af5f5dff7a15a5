import { randomUUID } from 'node:crypto';
import { recordEvent, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import type { Citizen } from '../entities/citizen.entity.js';

/** Events identity publishes about a citizen, with the data each one adds. */
export interface CitizenEventData {
  'citizen.registered': Record<string, never>;
  'citizen.contact-verified': { channel: 'email' };
  'citizen.telegram-linked': Record<string, never>;
  'citizen.telegram-unlinked': { reason: 'citizen' | 'blocked' };
  'citizen.preferences-changed': { changed: string[] };
}

/**
 * Queues a citizen event in the outbox of `em`, so it is stored by the same flush as the change it
 * announces. The subject is the fiscal code (the entity's public key); the citizen's account id
 * stands for them as actor.
 */
export function recordCitizenEvent<T extends keyof CitizenEventData>(
  em: EntityManager,
  type: T,
  citizen: Citizen,
  actor: Actor | null,
  data: CitizenEventData[T],
  now = new Date(),
): void {
  recordEvent(em, {
    id: uuidV7(now),
    type,
    version: 1,
    occurredAt: now.toISOString(),
    comune: citizen.comune,
    subject: citizen.fiscalCode,
    actor,
    data: { citizenId: citizen.id, fiscalCode: citizen.fiscalCode, ...data },
  });
}

/** A UUID v7 (time-ordered), as the envelope requires. */
function uuidV7(now: Date): string {
  const hex = randomUUID().replaceAll('-', '');
  const time = now.getTime().toString(16).padStart(12, '0');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
