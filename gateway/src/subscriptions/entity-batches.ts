import { type ExecutionResult } from 'graphql';
import { type ConcurrencyLimit } from './update-stream.js';

/** Resolves a batch of lookups: one result per lookup, in their order. */
export type ResolveBatch<Lookup> = (lookups: Lookup[]) => Promise<ExecutionResult[]>;

interface Waiting<Lookup> {
  lookup: Lookup;
  resolve(result: ExecutionResult): void;
  reject(error: unknown): void;
}

interface Queue<Lookup> {
  waiting: Array<Waiting<Lookup>>;
  /** A turn is booked: it takes what waits when a resolution slot is free. */
  booked: boolean;
  maxSize: number;
  resolveBatch: ResolveBatch<Lookup>;
}

/**
 * Entity lookups of different events that resolve the same way (the same document, variables and
 * access) go to the subgraphs together. A lookup waits for the end of the current tick, with those
 * of the other events arriving in it, and then for a free resolution slot: when the slots are all
 * taken, the events arriving meanwhile join the waiting batch, so the busier the subgraphs, the
 * fewer and larger the requests. A batch holds at most `maxSize` lookups; the rest take the next
 * turn.
 */
export class EntityBatches<Lookup> {
  private readonly queues = new Map<string, Queue<Lookup>>();

  constructor(private readonly slots: ConcurrencyLimit) {}

  /**
   * This lookup's result, resolved with the others waiting under `key` by `resolveBatch` (that of
   * the first lookup of a batch, at most `maxSize` lookups at once).
   */
  load(
    key: string,
    lookup: Lookup,
    maxSize: number,
    resolveBatch: ResolveBatch<Lookup>,
  ): Promise<ExecutionResult> {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { waiting: [], booked: false, maxSize: Math.max(1, maxSize), resolveBatch };
      this.queues.set(key, queue);
    }
    const added = new Promise<ExecutionResult>((resolve, reject) =>
      queue.waiting.push({ lookup, resolve, reject }),
    );
    if (!queue.booked) this.book(key, queue);
    return added;
  }

  /** Batches waiting for a turn or being resolved. */
  get size(): number {
    return this.queues.size;
  }

  private book(key: string, queue: Queue<Lookup>): void {
    queue.booked = true;
    setImmediate(() => {
      void this.slots.run(async () => {
        queue.booked = false;
        const batch = queue.waiting.splice(0, queue.maxSize);
        if (queue.waiting.length > 0) this.book(key, queue);
        else this.queues.delete(key);
        if (batch.length === 0) return;
        try {
          const results = await queue.resolveBatch(batch.map((each) => each.lookup));
          batch.forEach((each, i) => each.resolve(results[i]!));
        } catch (error) {
          for (const each of batch) each.reject(error);
        }
      });
    });
  }
}
