/** Settings of a {@link Circuit}. */
export interface CircuitOptions {
  /** Consecutive retryable failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /** First pause once open; doubles each time it opens again without a success. @default 1000 */
  baseMs?: number;
  /** Longest pause. @default 60000 */
  maxMs?: number;
  now?: () => number;
}

/**
 * A breaker per channel: when a provider keeps failing, the dispatcher stops claiming deliveries
 * for it for a growing pause instead of burning every delivery's attempts in a tight loop. One
 * success closes it.
 */
export class Circuit {
  private failures = 0;
  private opens = 0;
  private until = 0;
  private readonly threshold: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(options: CircuitOptions = {}) {
    this.threshold = options.failureThreshold ?? 5;
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds left before the channel may be tried again (0 when closed). */
  get waitMs(): number {
    return Math.max(0, this.until - this.now());
  }

  /** When the circuit lets calls through again (epoch ms; in the past when closed). */
  get openUntil(): number {
    return this.until;
  }

  succeeded(): void {
    this.failures = 0;
    this.opens = 0;
    this.until = 0;
  }

  /** Counts a retryable failure. @returns true when this failure opened the circuit. */
  failed(retryAfterMs = 0): boolean {
    this.failures += 1;
    if (this.failures < this.threshold && retryAfterMs <= 0) return false;
    if (this.waitMs > 0) return false;
    this.opens += 1;
    this.failures = 0;
    const pause = Math.min(this.maxMs, this.baseMs * 2 ** (this.opens - 1));
    this.until = this.now() + Math.max(pause, retryAfterMs);
    return true;
  }
}
