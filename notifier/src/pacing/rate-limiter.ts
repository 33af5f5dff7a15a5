import { setTimeout as sleep } from 'node:timers/promises';

/** A rate: `ratePerSecond` sustained, up to `burst` at once after a quiet period. */
export interface RateSpec {
  ratePerSecond: number;
  /** How many acquisitions may pass back to back after a quiet period. @default 1 */
  burst?: number;
}

/** Settings of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** A limit shared by every acquisition (e.g. Telegram's ~30 messages/s per bot). */
  global?: RateSpec;
  /** A limit per key (e.g. Telegram's 1 message/s per chat). */
  perKey?: RateSpec;
  /**
   * Upper bound of remembered keys. Keys whose bucket is full again carry no state and are dropped
   * first; past the bound the least recently used key is forgotten. @default 10000
   */
  maxKeys?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** Paces calls to a provider. */
export interface RateLimiter {
  /**
   * Waits until one more call is allowed under the global limit and, when `key` is given, under that
   * key's limit; then counts the call. Waiting is a timer, never a busy loop. Callers are served in
   * the order they asked (a reservation is taken at call time).
   * @throws the signal's reason when `signal` aborts while waiting (the reservation is not returned).
   */
  acquire(key?: string, signal?: AbortSignal): Promise<void>;
  /**
   * Holds every later acquisition (of `key`, or all of them without a key) back for `ms`: what a
   * provider asks for with "retry after".
   */
  holdOff(ms: number, key?: string): void;
  /** Number of keys currently remembered (bounded by `maxKeys`). */
  readonly trackedKeys: number;
}

/**
 * Generic cell rate algorithm: one "theoretical arrival time" per bucket instead of a token count
 * refilled by a timer, so an idle bucket costs nothing and a reservation is a single comparison.
 */
class Gcra {
  private readonly interval: number;
  private readonly tolerance: number;
  tat = 0;

  constructor(spec: RateSpec) {
    if (!(spec.ratePerSecond > 0)) throw new Error(`ratePerSecond must be > 0, got ${spec.ratePerSecond}`);
    const burst = spec.burst ?? 1;
    if (!Number.isInteger(burst) || burst < 1) throw new Error(`burst must be an integer >= 1, got ${burst}`);
    this.interval = 1000 / spec.ratePerSecond;
    this.tolerance = (burst - 1) * this.interval;
  }

  /** Earliest time a call may pass, not before `notBefore`. */
  earliest(now: number, notBefore = now): number {
    return Math.max(now, notBefore, this.tat - this.tolerance);
  }

  /** Counts a call passing at `at` (which must be >= earliest()). */
  reserve(at: number): void {
    this.tat = Math.max(this.tat, at) + this.interval;
  }

  /** Lets nothing pass before `until`. */
  holdUntil(until: number): void {
    this.tat = Math.max(this.tat, until + this.tolerance);
  }

  /** True when the bucket is full again: its state can be forgotten. */
  idle(now: number): boolean {
    return this.tat <= now;
  }
}

interface KeyState {
  bucket: Gcra;
  /** Settles when the latest acquisition of this key has passed (or given up). */
  tail: Promise<void>;
  pending: number;
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(Math.ceil(ms), undefined, signal ? { signal } : undefined);
  } catch (error) {
    // Surface the caller's own abort reason rather than the timer's generic AbortError.
    throw signal?.aborted ? signal.reason : error;
  }
}

/**
 * Creates a token-bucket limiter with an optional global bucket and optional per-key buckets.
 *
 * A keyed acquisition first waits for its key (one at a time per key, spaced from the moment the
 * previous one actually passed), and only then queues for the global bucket. Reserving a global slot
 * in the future for a call that is still waiting on its key would block every other key behind it.
 * @throws Error when a rate or burst is not positive.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const global = options.global ? new Gcra(options.global) : undefined;
  const perKeySpec = options.perKey;
  if (perKeySpec) new Gcra(perKeySpec); // validate eagerly, not at the first keyed call
  const keys = new Map<string, KeyState>();

  function stateFor(key: string): KeyState {
    let state = keys.get(key);
    if (state) {
      // Re-insert to keep Map order = least recently used first.
      keys.delete(key);
      keys.set(key, state);
      return state;
    }
    if (keys.size >= maxKeys) evict();
    state = { bucket: new Gcra(perKeySpec!), tail: Promise.resolve(), pending: 0 };
    keys.set(key, state);
    return state;
  }

  /**
   * Forgets keys with nobody waiting: first those whose bucket is full again (no information lost),
   * then the least recently used. Keys with waiters are kept, so the map can exceed `maxKeys` only by
   * the number of keys with a call in flight.
   */
  function evict(): void {
    const t = now();
    for (const [key, state] of keys) if (state.pending === 0 && state.bucket.idle(t)) keys.delete(key);
    for (const [key, state] of keys) {
      if (keys.size < maxKeys) break;
      if (state.pending === 0) keys.delete(key);
    }
  }

  async function passGlobal(signal: AbortSignal | undefined): Promise<void> {
    if (!global) return;
    const t = now();
    const at = global.earliest(t);
    global.reserve(at);
    await pause(at - t, signal);
  }

  return {
    async acquire(key, signal) {
      signal?.throwIfAborted();
      if (key === undefined || !perKeySpec) return passGlobal(signal);
      const state = stateFor(key);
      state.pending += 1;
      const previous = state.tail;
      let release!: () => void;
      state.tail = new Promise<void>((resolve) => (release = resolve));
      try {
        await previous;
        signal?.throwIfAborted();
        const t = now();
        await pause(state.bucket.earliest(t) - t, signal);
        await passGlobal(signal);
        state.bucket.reserve(now());
      } finally {
        state.pending -= 1;
        release();
      }
    },
    holdOff(ms, key) {
      if (!(ms > 0)) return;
      const until = now() + ms;
      // Holding a key when there is no per-key limit falls back to the global bucket, if any.
      const target = key !== undefined && perKeySpec ? stateFor(key).bucket : global;
      if (target) target.holdUntil(until);
    },
    get trackedKeys() {
      return keys.size;
    },
  };
}
