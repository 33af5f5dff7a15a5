import { laneRank, LANES, type Lane } from '@sportello/schema';

/**
 * What the lanes of one consumer are doing, so that a lower lane lets a higher one go first: before
 * a bulk event starts, it waits while critical or interactive events of the same consumer are being
 * handled or wait (an interactive one, while critical ones are), at most `maxWaitMs` at a time. The
 * wait is before a handler starts, never inside one.
 */
export class LaneGate {
  private readonly busy = new Map<Lane, number>(LANES.map((lane) => [lane, 0]));
  private waiters = new Set<() => void>();

  constructor(private readonly maxWaitMs = 1_000) {}

  /** Marks work of `lane` as begun (queued or running); call the returned function when it ends. */
  begin(lane: Lane): () => void {
    this.busy.set(lane, this.busy.get(lane)! + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.busy.set(lane, this.busy.get(lane)! - 1);
      if (this.busy.get(lane) === 0) this.wake();
    };
  }

  /** Resolves when no higher lane has work, or after `maxWaitMs`. */
  async whenHigherIdle(lane: Lane): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs;
    while (this.higherBusy(lane)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiter = () => done();
        this.waiters.add(waiter);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  private higherBusy(lane: Lane): boolean {
    return LANES.slice(0, laneRank(lane)).some((higher) => this.busy.get(higher)! > 0);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const waiter of waiters) waiter();
  }
}
