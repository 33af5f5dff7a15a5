import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EventEnvelope } from '@sportello/schema';
import type { EntityManager } from '../database/database.js';
import { InboxEntry } from './inbox-entry.entity.js';

class AlreadyProcessed extends Error {}

/**
 * Runs a consumer's effects for an event at most once: `fn` and the inbox record of the event id
 * commit in one transaction, so a redelivery (or a concurrent duplicate delivery) finds the record
 * and changes nothing. `fn` must do all its work through the EntityManager it receives.
 *
 * The inbox row is inserted before `fn` runs: on PostgreSQL a concurrent duplicate waits on the
 * primary key and then gives up, instead of running `fn` twice and failing only at commit.
 *
 * @returns `true` when `fn` ran and committed, `false` when the event had already been processed.
 * @throws whatever `fn` throws (nothing is recorded, so the event can be retried).
 */
export async function handleOnce(
  em: EntityManager,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  fn: (em: EntityManager) => Promise<void>,
): Promise<boolean> {
  try {
    return await em.transactional(async (tx) => {
      try {
        await tx.insert(InboxEntry, { consumer, eventId: event.id, processedAt: new Date() });
      } catch (error) {
        // Only this insert's violation means "done before"; the same error from `fn` is fn's own.
        if (error instanceof UniqueConstraintViolationException) {
          throw new AlreadyProcessed();
        }
        throw error;
      }
      await fn(tx);
      return true;
    });
  } catch (error) {
    if (error instanceof AlreadyProcessed) {
      return false;
    }
    throw error;
  }
}
