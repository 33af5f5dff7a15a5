/**
 * A first-in first-out queue with O(1) push and shift, for queues that may hold tens of thousands of
 * entries (a bulk backlog), where `Array#shift` would copy the whole array each time.
 */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    // Compact once the consumed part dominates, so memory follows the live entries.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns every entry, oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/**
 * Runs queued work at most `concurrency` at a time and one at a time per key, in arrival order per
 * key: what a consumer needs to handle many events at once while keeping each subject's order.
 * A key whose entry is running waits; other keys go ahead.
 */
export class KeyedScheduler<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys with queued work and nothing running, in the order they became ready. */
  private readonly ready = new Fifo<string>();
  private readonly busy = new Set<string>();
  private active = 0;
  private queuedCount = 0;

  constructor(
    private readonly concurrency: number,
    private readonly run: (item: T) => Promise<void>,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
    }
  }

  /** Entries waiting to run. */
  get queued(): number {
    return this.queuedCount;
  }

  /** Entries running now. */
  get running(): number {
    return this.active;
  }

  push(key: string, item: T): void {
    const queue = this.queues.get(key);
    if (queue) queue.push(item);
    else {
      this.queues.set(key, [item]);
      if (!this.busy.has(key)) this.ready.push(key);
    }
    this.queuedCount += 1;
    this.pump();
  }

  /** Takes every waiting entry out (a stopping consumer hands them back); running ones go on. */
  drain(): T[] {
    const items = [...this.queues.values()].flat();
    this.queues.clear();
    this.ready.drain();
    this.queuedCount = 0;
    return items;
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const key = this.ready.shift();
      if (key === undefined) return;
      const queue = this.queues.get(key);
      const item = queue?.shift();
      if (queue === undefined || item === undefined) continue;
      if (queue.length === 0) this.queues.delete(key);
      this.queuedCount -= 1;
      this.busy.add(key);
      this.active += 1;
      void this.run(item)
        .catch(() => undefined)
        .finally(() => {
          this.busy.delete(key);
          this.active -= 1;
          if (this.queues.has(key)) this.ready.push(key);
          this.pump();
        });
    }
  }
}
