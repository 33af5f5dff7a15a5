/** Settings of a {@link WirePacer}. */
export interface WirePacerOptions {
  /** Requests leaving in any rolling second, at most (Telegram: 30 per bot). */
  perSecond: number;
  /**
   * Per key (Telegram: a chat), the least time from the answer to one request to the next request
   * leaving (Telegram: 1 message per second per chat). Counting from the answer, not from when the
   * request left, keeps the spacing whatever the network did to the first one.
   */
  perKeyIntervalMs?: number;
  /**
   * Slack on the rolling second: a request leaves only when fewer than `perSecond` left in the last
   * `1000 + marginMs` ms, so requests that left in order and arrive bunched up still fit. @default 100
   */
  marginMs?: number;
  /** Keys remembered at most; idle keys are forgotten first. @default 10_000 */
  maxKeys?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Paces requests to a provider at the moment they leave, not when a slot was reserved earlier: a
 * database write or a render between reserving and sending can no longer squeeze two requests
 * closer than the provider allows. Requests leave evenly spaced (`1000 / perSecond` ms apart) and
 * never more than `perSecond` in a rolling second plus the margin.
 */
export interface WirePacer {
  /**
   * Runs `request` once it may leave: after the previous request of `key` has been answered and
   * `perKeyIntervalMs` more have passed (so one key's requests leave in call order, one at a time),
   * and when the rolling second has room. The slot is taken right before `request` is called.
   */
  run<T>(key: string | undefined, request: () => Promise<T>): Promise<T>;
  /**
   * Resolves when a request of `key` could leave now (its key is free and the second has room),
   * reserving nothing: for callers that would rather wait before they commit to a send.
   */
  ready(key?: string): Promise<void>;
  /** Lets nothing leave (of `key`, or at all without one) for `ms`: a provider's "retry after". */
  holdOff(ms: number, key?: string): void;
  /** Keys remembered now. */
  readonly trackedKeys: number;
}

interface KeyState {
  /** Settles when the latest request of the key has been answered. */
  tail: Promise<void>;
  /** The earliest the next request of the key may leave. */
  nextAt: number;
  pending: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Creates a {@link WirePacer}. @throws Error when `perSecond` is not a positive integer. */
export function createWirePacer(options: WirePacerOptions): WirePacer {
  const { perSecond } = options;
  if (!Number.isInteger(perSecond) || perSecond < 1) {
    throw new Error(`perSecond must be a positive integer, got ${perSecond}`);
  }
  const intervalMs = options.perKeyIntervalMs ?? 0;
  const windowMs = 1000 + (options.marginMs ?? 100);
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  /** When the last `perSecond` requests left, oldest first. */
  const leaves: number[] = [];
  /** Requests leave evenly spaced, never in a burst: whatever way the provider counts, it holds. */
  const spacingMs = 1000 / perSecond;
  const waiting: Array<() => void> = [];
  let holdUntil = 0;
  let timer: NodeJS.Timeout | undefined;
  const keys = new Map<string, KeyState>();

  /** The earliest a request may leave under the rolling second and the hold. */
  function globalAt(t: number): number {
    const full = leaves.length >= perSecond ? leaves[leaves.length - perSecond]! + windowMs : 0;
    const spaced = leaves.length > 0 ? leaves[leaves.length - 1]! + spacingMs : 0;
    return Math.max(t, holdUntil, full, spaced);
  }

  function pump(): void {
    clearTimeout(timer);
    timer = undefined;
    while (waiting.length > 0) {
      const t = now();
      const at = globalAt(t);
      if (at > t) {
        timer = setTimeout(pump, at - t);
        return;
      }
      leaves.push(t);
      if (leaves.length > perSecond) leaves.splice(0, leaves.length - perSecond);
      waiting.shift()!();
    }
  }

  /** Takes a slot of the rolling second, in call order. */
  function takeSlot(): Promise<void> {
    return new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === 1) pump();
    });
  }

  function stateOf(key: string): KeyState {
    let state = keys.get(key);
    if (state) return state;
    if (keys.size >= maxKeys) {
      const t = now();
      for (const [candidate, old] of keys) {
        if (keys.size < maxKeys) break;
        if (old.pending === 0 && old.nextAt <= t) keys.delete(candidate);
      }
    }
    state = { tail: Promise.resolve(), nextAt: 0, pending: 0 };
    keys.set(key, state);
    return state;
  }

  return {
    async run(key, request) {
      if (key === undefined) {
        await takeSlot();
        return request();
      }
      const state = stateOf(key);
      state.pending += 1;
      const previous = state.tail;
      let answered!: () => void;
      state.tail = new Promise<void>((resolve) => (answered = resolve));
      try {
        await previous;
        while (state.nextAt > now()) await sleep(state.nextAt - now());
        await takeSlot();
        return await request();
      } finally {
        state.nextAt = now() + intervalMs;
        state.pending -= 1;
        answered();
      }
    },
    async ready(key) {
      const state = key === undefined ? undefined : keys.get(key);
      if (state) {
        await state.tail;
        while (state.nextAt > now()) await sleep(state.nextAt - now());
      }
      for (let t = now(), at = globalAt(t); at > t; t = now(), at = globalAt(t)) await sleep(at - t);
    },
    holdOff(ms, key) {
      if (!(ms > 0)) return;
      const until = now() + ms;
      if (key === undefined) {
        holdUntil = Math.max(holdUntil, until);
        if (waiting.length > 0) pump();
      } else {
        const state = stateOf(key);
        state.nextAt = Math.max(state.nextAt, until);
      }
    },
    get trackedKeys() {
      return keys.size;
    },
  };
}
