import { type Refusal } from './refusal.js';

/** Options of {@link createConcurrencyLimit}. */
export interface ConcurrencyLimitOptions {
  /** Operations executing at once; the others wait their turn. */
  maxConcurrent: number;
  /** Operations waiting at once; past it, new ones are refused at once. */
  maxQueued: number;
  /** Longest wait for a turn; an operation still waiting then is refused. */
  maxWaitMs: number;
}

/**
 * Which line an operation waits in, served in this order: the comune's staff (a clerk's dashboard,
 * an alert being issued), then everyone else's queries, then everyone else's mutations.
 */
export type OperationClass = 'staff' | 'query' | 'mutation';

const LINES: readonly OperationClass[] = ['staff', 'query', 'mutation'];

/** A turn to execute: call `release` exactly once when the operation is done (extra calls are ignored). */
export type Release = () => void;

/** What a {@link ConcurrencyLimit} holds right now. */
export interface ConcurrencyStats {
  running: number;
  queued: number;
}

/**
 * Step 8 of admission: at most `maxConcurrent` queries and mutations execute at once on this
 * gateway; the others wait in line: staff first, then queries, then mutations, each line first come
 * first served.
 *
 * Why: on one event loop every operation in progress takes turns with every other and with the
 * delivery of live updates. Under a burst of writes, letting them all in at once made each of them,
 * and every update to the dashboards, wait behind all the rest (seconds); letting a few in at a time
 * keeps what runs fast and the rest in line, and neither a clerk nor a reader queues behind a
 * citizen's write. Live updates to subscribers are not operations of a caller and never wait here.
 *
 * An operation that finds `maxQueued` waiting, or waits `maxWaitMs` without a turn, is refused with
 * 503 `OVERLOADED` and `Retry-After`: nothing of it ran, so it is safe to send again.
 */
export interface ConcurrencyLimit {
  /** Waits for a turn. @returns the release of the turn, or the refusal to answer with */
  acquire(kind: OperationClass): Promise<Release | Refusal>;
  readonly stats: ConcurrencyStats;
}

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

/** Creates the limit for one gateway. */
export function createConcurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimit {
  const { maxConcurrent, maxQueued, maxWaitMs } = options;
  const lines: Record<OperationClass, Waiter[]> = { staff: [], query: [], mutation: [] };
  const stats: ConcurrencyStats = { running: 0, queued: 0 };

  const turn = (): Release => {
    stats.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      stats.running -= 1;
      next();
    };
  };

  const next = () => {
    while (stats.running < maxConcurrent) {
      const line = LINES.find((kind) => lines[kind].length > 0);
      if (line === undefined) return;
      const waiter = lines[line].shift()!;
      stats.queued -= 1;
      clearTimeout(waiter.timer);
      waiter.grant(turn());
    }
  };

  return {
    stats,
    acquire(kind) {
      if (stats.running < maxConcurrent && stats.queued === 0) return Promise.resolve(turn());
      if (stats.queued >= maxQueued) {
        return Promise.resolve(
          overloaded(`${maxQueued} operations are already waiting (maxQueuedOperations)`),
        );
      }
      return new Promise((resolve) => {
        const line = lines[kind];
        const waiter: Waiter = {
          grant: resolve,
          timer: setTimeout(() => {
            const at = line.indexOf(waiter);
            if (at < 0) return;
            line.splice(at, 1);
            stats.queued -= 1;
            resolve(overloaded(`no turn came within ${maxWaitMs} ms (maxQueueWaitMs)`));
          }, maxWaitMs),
        };
        line.push(waiter);
        stats.queued += 1;
      });
    },
  };
}

function overloaded(why: string): Refusal {
  return {
    status: 503,
    error: {
      message: `The gateway is busy: ${why}. Nothing was run; send the operation again after the Retry-After delay`,
      extensions: { code: 'OVERLOADED' },
    },
    headers: { 'retry-after': '1' },
    reason: 'overloaded',
  };
}
