import type { EventEnvelope } from '@sportello/schema';
import type { EntityManager } from '../database/database.js';
import { InboxEntry } from './inbox-entry.entity.js';

class AlreadyProcessed extends Error {}

/**
 * Runs a consumer's effects for an event at most once: `fn` and the inbox record of the event id
 * commit in one transaction, so a redelivery (or a concurrent duplicate delivery) finds the record
 * and changes nothing. `fn` must do all its work through the EntityManager it receives.
 *
 * The inbox row is inserted before `fn` runs, with one `insert ... on conflict do nothing` whose
 * affected row count tells a new event from one done before (no read first, no failed statement
 * for a redelivery). On PostgreSQL a concurrent duplicate waits on the primary key until the first
 * delivery commits or rolls back, then inserts nothing (or, after a rollback, runs `fn` itself),
 * instead of running `fn` twice and failing only at commit.
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
      const inserted = await tx
        .createQueryBuilder(InboxEntry)
        .insert({ consumer, eventId: event.id, processedAt: new Date() })
        .onConflict(['consumer', 'eventId'])
        .ignore()
        .execute('run');
      // Rolled back, not committed: the transaction wrote nothing, and says so to the database.
      if (inserted.affectedRows === 0) throw new AlreadyProcessed();
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
