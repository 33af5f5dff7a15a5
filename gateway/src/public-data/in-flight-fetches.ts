/**
 * Identical work in flight, done once: the first caller of a key runs it, everyone who asks for the
 * same key before it settles waits for that run. Nothing is kept once it settles: this merges
 * concurrent requests, it does not cache.
 */
export class InFlightFetches<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /**
   * Runs `work` under `key`, or joins the run already in flight for it.
   * @returns the shared outcome and whether this call joined another one's run
   */
  run(key: string, work: () => Promise<T>): { outcome: Promise<T>; merged: boolean } {
    const inFlight = this.pending.get(key);
    if (inFlight) return { outcome: inFlight, merged: true };
    const outcome = work().finally(() => this.pending.delete(key));
    this.pending.set(key, outcome);
    return { outcome, merged: false };
  }

  /** Runs in flight now. */
  get size(): number {
    return this.pending.size;
  }
}
