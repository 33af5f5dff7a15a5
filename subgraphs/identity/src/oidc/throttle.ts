/** A limit on failed attempts, for one kind of key (a client, an address). */
export interface ThrottleKey {
  /** `client:<id>`, `address:<ip>`... */
  key: string;
  /** Failures allowed within the window; the next attempt is refused until the window ends. */
  maxFailures: number;
}

export interface AttemptThrottleOptions {
  /** How long failures are remembered, from the first of a window. */
  windowMs: number;
  /**
   * Attempts of one key run this many at a time, the others wait their turn: 40 guesses sent at
   * once are counted as they fail, and those past the limit are refused before any work is done.
   * @default 4
   */
  maxConcurrent?: number;
  /** Attempts of one key waiting their turn; more are refused. @default 64 */
  maxWaiting?: number;
  /** Keys remembered at most; the oldest quiet ones are forgotten first. @default 10_000 */
  maxKeys?: number;
  /** @default Date.now */
  now?: () => number;
}

/** An attempt refused: too many failures (or waiting attempts) for one of its keys. */
export class ThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed attempts: retry in ${retryAfterSeconds} s`);
    this.name = 'ThrottledError';
  }
}

interface Entry {
  failures: number;
  /** When the window of the failures counted started (the first failure's time). */
  windowStart: number;
  active: number;
  waiting: (() => void)[];
}

/**
 * Counts failed attempts per key (a client id, a remote address) in a fixed window and refuses
 * attempts of a key that reached its limit, before they cost anything. Attempts of one key also run
 * a few at a time, so a burst of guesses cannot all start before the first ones are counted. Only
 * keys with failures or attempts under way are kept, and at most `maxKeys` of them.
 */
export class AttemptThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxConcurrent: number;
  private readonly maxWaiting: number;
  private readonly maxKeys: number;

  constructor(private readonly options: AttemptThrottleOptions) {
    this.now = options.now ?? Date.now;
    this.maxConcurrent = options.maxConcurrent ?? 4;
    this.maxWaiting = options.maxWaiting ?? 64;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Keys remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs `work` unless one of `keys` is over its limit; `work` calls `failed()` when the attempt
   * failed (a wrong secret, an unknown code...), which counts against every key.
   *
   * @throws {ThrottledError} without running `work`, with the seconds to wait.
   */
  async attempt<T>(keys: readonly ThrottleKey[], work: (failed: () => void) => Promise<T>): Promise<T> {
    const sorted = [...new Map(keys.map((key) => [key.key, key])).values()].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    this.refuseIfOver(sorted);
    const held: string[] = [];
    try {
      // Always in the same order: two attempts sharing keys never wait for each other in a cycle.
      for (const { key } of sorted) {
        await this.acquire(key);
        held.push(key);
      }
      // Failures counted while this attempt waited its turn may have closed the window.
      this.refuseIfOver(sorted);
      let counted = false;
      return await work(() => {
        if (counted) return;
        counted = true;
        for (const { key } of sorted) this.recordFailure(key);
      });
    } finally {
      for (const key of held) this.release(key);
    }
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= this.maxKeys) this.forgetQuiet();
      entry = { failures: 0, windowStart: 0, active: 0, waiting: [] };
      this.entries.set(key, entry);
    } else if (entry.failures > 0 && this.now() >= entry.windowStart + this.options.windowMs) {
      entry.failures = 0;
    }
    return entry;
  }

  private refuseIfOver(keys: readonly ThrottleKey[]): void {
    let wait = 0;
    for (const { key, maxFailures } of keys) {
      const entry = this.entries.get(key);
      if (entry === undefined || entry.failures === 0) continue;
      const endsIn = entry.windowStart + this.options.windowMs - this.now();
      if (endsIn <= 0) {
        entry.failures = 0;
        this.forgetIfQuiet(key, entry);
      } else if (entry.failures >= maxFailures) {
        wait = Math.max(wait, endsIn);
      }
    }
    if (wait > 0) throw new ThrottledError(Math.max(1, Math.ceil(wait / 1000)));
  }

  private async acquire(key: string): Promise<void> {
    const entry = this.entry(key);
    if (entry.active < this.maxConcurrent) {
      entry.active += 1;
      return;
    }
    if (entry.waiting.length >= this.maxWaiting) throw new ThrottledError(1);
    // The releasing attempt hands its slot over: `active` stays as it is.
    await new Promise<void>((resolve) => entry.waiting.push(resolve));
  }

  private release(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    const next = entry.waiting.shift();
    if (next !== undefined) return next();
    entry.active -= 1;
    this.forgetIfQuiet(key, entry);
  }

  private recordFailure(key: string): void {
    const entry = this.entry(key);
    if (entry.failures === 0) {
      entry.windowStart = this.now();
      // Re-inserted: the map's order stays the order windows started, oldest first.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    entry.failures += 1;
  }

  private forgetIfQuiet(key: string, entry: Entry): void {
    if (entry.failures === 0 && entry.active === 0 && entry.waiting.length === 0) this.entries.delete(key);
  }

  /** Makes room: first the keys whose window ended, then the oldest windows of keys with no attempt under way. */
  private forgetQuiet(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.active > 0 || entry.waiting.length > 0) continue;
      if (entry.failures === 0 || now >= entry.windowStart + this.options.windowMs) this.entries.delete(key);
    }
    for (const [key, entry] of this.entries) {
      if (this.entries.size < this.maxKeys) return;
      if (entry.active === 0 && entry.waiting.length === 0) this.entries.delete(key);
    }
  }
}
