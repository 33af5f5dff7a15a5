import { channel } from 'node:diagnostics_channel';
import type { EventSubscriber, FlushEventArgs, TransactionEventArgs } from '@mikro-orm/core';
import type { EventEnvelope } from '@sportello/schema';
import { OutboxMessage } from './outbox-message.entity.js';

/**
 * Called with the outbox events a transaction has just committed: their ids, the events, and their
 * outbox rows as written (in commit order; to be read, never changed).
 */
export type CommittedEventsListener = (
  eventIds: readonly string[],
  events: readonly EventEnvelope[],
  rows: readonly OutboxMessage[],
) => void;

/** What {@link OUTBOX_COMMITTED_CHANNEL} carries. */
export interface OutboxCommittedMessage {
  /** The service whose database committed. */
  service: string;
  eventIds: readonly string[];
}

/**
 * Node diagnostics channel on which every service database announces, synchronously and right after
 * the commit, the outbox events it committed. Costs nothing while nobody subscribes; tools (the
 * latency benchmark, a profiler) subscribe to time the path from commit to the client.
 */
export const OUTBOX_COMMITTED_CHANNEL = 'sportello:outbox:committed';

const committedChannel = channel(OUTBOX_COMMITTED_CHANNEL);

/**
 * Watches a database's flushes for new outbox rows and tells its listeners once they are committed,
 * so the relay can publish at once instead of after the response is written (or at the next poll).
 *
 * - A flush outside any transaction runs in its own: committed when the flush ends.
 * - A flush inside `em.transactional` waits for that transaction to commit; inside a savepoint, for
 *   the savepoint's release, and then for the next commit of an outer transaction (a savepoint's
 *   parent is not known, so the watch may announce a little early when transactions interleave; the
 *   relay only ever publishes what it can read as committed).
 * - A rollback forgets the rows.
 * @internal
 */
export class OutboxCommitWatch implements EventSubscriber {
  private readonly listeners = new Set<CommittedEventsListener>();
  /** Outbox rows of a flush, from `onFlush` to `afterFlush`. */
  private readonly flushing = new WeakMap<object, OutboxMessage[]>();
  /** Rows written inside a transaction that has not committed yet. */
  private readonly inTransaction = new WeakMap<object, OutboxMessage[]>();
  /** Rows of released savepoints, waiting for the next outer commit. */
  private released: OutboxMessage[] = [];

  constructor(private readonly service: string) {}

  /** @returns a function that removes the listener */
  listen(listener: CommittedEventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onFlush({ uow }: FlushEventArgs): void {
    const ids: OutboxMessage[] = [];
    for (const changeSet of uow.getChangeSets()) {
      if (changeSet.type === 'create' && changeSet.meta.class === OutboxMessage.meta.class) {
        ids.push(changeSet.entity as OutboxMessage);
      }
    }
    if (ids.length > 0) this.flushing.set(uow, ids);
  }

  afterFlush({ em, uow }: FlushEventArgs): void {
    const ids = this.flushing.get(uow);
    if (ids === undefined) return;
    this.flushing.delete(uow);
    const transaction = em.isInTransaction() ? (em.getTransactionContext() as object | undefined) : undefined;
    if (transaction === undefined) {
      this.announce(ids);
      return;
    }
    const pending = this.inTransaction.get(transaction);
    if (pending === undefined) this.inTransaction.set(transaction, ids);
    else pending.push(...ids);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    const ids = transaction === undefined ? undefined : this.inTransaction.get(transaction as object);
    if (ids !== undefined) this.inTransaction.delete(transaction as object);
    if (transaction !== undefined && 'savepointName' in (transaction as object)) {
      if (ids !== undefined) this.released.push(...ids);
      return;
    }
    const committed = this.released.length === 0 ? (ids ?? []) : [...this.released, ...(ids ?? [])];
    this.released = [];
    if (committed.length > 0) this.announce(committed);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction !== undefined) this.inTransaction.delete(transaction as object);
    if (transaction === undefined || !('savepointName' in (transaction as object))) this.released = [];
  }

  private announce(rows: readonly OutboxMessage[]): void {
    const eventIds = rows.map((row) => row.id);
    if (committedChannel.hasSubscribers) {
      committedChannel.publish({ service: this.service, eventIds } satisfies OutboxCommittedMessage);
    }
    const events = rows.map((row) => row.payload as EventEnvelope);
    for (const listener of this.listeners) {
      try {
        listener(eventIds, events, rows);
      } catch {
        // The commit happened: a listener's failure must not turn it into an error for the caller.
      }
    }
  }
}
