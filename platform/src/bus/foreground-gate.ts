/** Options of {@link createForegroundGate}. */
export interface ForegroundGateOptions {
  /**
   * Longest a background task waits for foreground work to end. When a wait reaches it, background
   * work runs freely for as long again, so under a steady stream of requests it still gets about
   * half of the loop. @default 50
   */
  maxDeferMs?: number;
  /**
   * How long background work runs freely after a wait reached `maxDeferMs`: shorter than it when
   * the foreground is what matters most (an alert being planned), so that background work gets
   * `freeMs / (maxDeferMs + freeMs)` of the time while it lasts. @default maxDeferMs
   */
  freeMs?: number;
  /** The clock (tests). @default performance.now */
  now?: () => number;
}

/**
 * Lets work a person is waiting for (a client's request, a subscriber's update) go before
 * background work (consumers planning notifications, storing audit entries) when both share one
 * event loop, as every service of the embedded hub does.
 *
 * Foreground work brackets itself with {@link ForegroundGate.begin}; background work awaits
 * {@link ForegroundGate.whenIdle} before each unit it starts. The wait is at the start of a unit,
 * never inside one: a background task holding a database connection or a transaction is never
 * held back, so no request can end up waiting for the work it deferred.
 */
export interface ForegroundGate {
  /** Marks foreground work as begun; call the returned function once it ends (extra calls are ignored). */
  begin(): () => void;
  /** Resolves when no foreground work is in progress, or once `maxDeferMs` have passed. */
  whenIdle(): Promise<void>;
  /** Foreground work in progress. */
  readonly active: number;
  /** What background work waited, since the gate was created (for metrics). */
  readonly stats: Readonly<ForegroundGateStats>;
}

/** Totals of a {@link ForegroundGate}. */
export interface ForegroundGateStats {
  /** Background units that had to wait before starting. */
  deferred: number;
  /** Of those, units whose wait ended at `maxDeferMs` rather than with the foreground work. */
  forced: number;
  /** Time background units spent waiting, in seconds. */
  deferredSeconds: number;
}

/** Creates a {@link ForegroundGate}; one per event loop is what makes sense. */
export function createForegroundGate(options: ForegroundGateOptions = {}): ForegroundGate {
  const maxDeferMs = options.maxDeferMs ?? 50;
  const freeMs = options.freeMs ?? maxDeferMs;
  const now = options.now ?? (() => performance.now());
  let active = 0;
  /** Until when background work runs without waiting (after a wait reached `maxDeferMs`). */
  let freeUntil = Number.NEGATIVE_INFINITY;
  let waiters: Array<{ resolve: () => void; since: number }> = [];
  let deadline: NodeJS.Timeout | undefined;
  const stats: ForegroundGateStats = { deferred: 0, forced: 0, deferredSeconds: 0 };

  function release(forced: boolean): void {
    clearTimeout(deadline);
    deadline = undefined;
    const released = waiters;
    waiters = [];
    const at = now();
    if (forced) stats.forced += released.length;
    for (const { resolve, since } of released) {
      stats.deferredSeconds += (at - since) / 1000;
      resolve();
    }
  }

  return {
    get active() {
      return active;
    },
    stats,
    begin() {
      active += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        active -= 1;
        if (active === 0) release(false);
      };
    },
    whenIdle() {
      if (active === 0 || now() < freeUntil) return Promise.resolve();
      stats.deferred += 1;
      return new Promise<void>((resolve) => {
        waiters.push({ resolve, since: now() });
        deadline ??= setTimeout(() => {
          freeUntil = now() + freeMs;
          release(true);
        }, maxDeferMs);
      });
    },
  };
}
