import { type ExecutionResult } from 'graphql';

/** Why a subscriber's stream stopped taking updates. */
export type Overflow = 'slow-consumer' | 'backlog';

/**
 * The updates on their way to one subscriber, in event order. Each event's update is being
 * resolved as soon as the event arrives (concurrently with the others); the stream hands them out
 * in the order the events came, skipping events that turn out to have nothing for this subscriber.
 *
 * Two bounds, told apart. A slow consumer: more than `ready` updates resolved and not yet taken by
 * the socket, and none taken for `patienceMs` (a burst that the socket drains is not slowness; a
 * client that stopped reading is). A backlog: more than `total` updates in the stream at all (a
 * bound on memory while resolutions lag). Crossing either calls `onOverflow` once.
 */
export class UpdateStream implements AsyncIterableIterator<ExecutionResult> {
  private readonly updates: Array<Promise<ExecutionResult | null>> = [];
  private waiting: (() => void) | undefined;
  private closed = false;
  private overflowed = false;
  /** Resolved and not yet handed out. */
  private ready = 0;
  /** When the socket last took an update, or updates started waiting for it. */
  private progressAt: number;

  constructor(
    private readonly bounds: { ready: number; total: number; patienceMs: number },
    private readonly onOverflow: (why: Overflow) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.progressAt = now();
  }

  /**
   * Drops the subscriber if it is a slow consumer now (called by a sweep, not as updates resolve:
   * after the event loop was held up, the sweep first excuses the time, see {@link excuse}).
   */
  check(): void {
    if (this.ready > this.bounds.ready && this.now() - this.progressAt > this.bounds.patienceMs) {
      this.overflow('slow-consumer');
    }
  }

  /**
   * Time the subscriber could not read in, because the process was busy (a long stretch of work,
   * the machine's other load): not counted against its patience.
   */
  excuse(ms: number): void {
    this.progressAt += ms;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Updates in the stream, resolved or not. */
  get size(): number {
    return this.updates.length;
  }

  push(update: Promise<ExecutionResult | null>): void {
    if (this.closed) return;
    if (this.updates.length >= this.bounds.total) return this.overflow('backlog');
    // Failures were turned into results by the caller: a rejection here is a bug, kept as a skip.
    const settled = update.then(
      (result) => {
        if (this.ready === 0) this.progressAt = this.now();
        this.ready += 1;
        return result;
      },
      () => {
        this.ready += 1;
        return null;
      },
    );
    this.updates.push(settled);
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    for (;;) {
      if (this.closed) return { value: undefined, done: true };
      const first = this.updates[0];
      if (first === undefined) {
        await new Promise<void>((resolve) => (this.waiting = resolve));
        continue;
      }
      const result = await first;
      if (this.closed) return { value: undefined, done: true };
      this.updates.shift();
      this.ready -= 1;
      this.progressAt = this.now();
      if (result !== null) return { value: result, done: false };
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.close();
    return { value: undefined, done: true };
  }

  close(): void {
    this.closed = true;
    this.updates.length = 0;
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  }

  private overflow(why: Overflow): void {
    if (this.overflowed) return;
    this.overflowed = true;
    this.onOverflow(why);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** At most `limit` resolutions at once, the others waiting their turn in arrival order. */
export class ConcurrencyLimit {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.queue.shift()?.();
    }
  }
}

/**
 * Identical resolutions in flight run once: subscribers with the same document, variables and
 * access, for the same event, share one result (the bus hands an event to all of them in one go, so
 * they all find the first one's resolution in flight).
 */
export class SharedResolutions {
  private readonly inFlight = new Map<string, Promise<ExecutionResult | null>>();

  run(key: string, resolve: () => Promise<ExecutionResult | null>): Promise<ExecutionResult | null> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = resolve().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  get size(): number {
    return this.inFlight.size;
  }
}
