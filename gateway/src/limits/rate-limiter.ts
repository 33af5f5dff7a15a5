/** Result of taking one token from a bucket. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
  perMinute: number;
}

/**
 * Token buckets keyed by client id or IP, refilled continuously at `perMinute / 60` tokens a
 * second up to a burst of `perMinute`. Memory is bounded: beyond `maxKeys` the least recently
 * used bucket is forgotten (a Map keeps insertion order, and every hit re-inserts its key).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `key`, whose budget is `perMinute` requests a minute. */
  take(key: string, perMinute: number): RateDecision {
    const bucket = this.refilled(key, perMinute);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const secondsToNextToken = ((1 - bucket.tokens) * 60) / perMinute;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(secondsToNextToken)) };
  }

  /**
   * Spends `count` tokens of `key` used elsewhere (another gateway replica served those requests).
   * The bucket may go below zero, down to one minute's budget: it then refuses until it has refilled,
   * so the replicas together keep to the budget.
   */
  charge(key: string, count: number, perMinute: number): void {
    const bucket = this.refilled(key, perMinute);
    bucket.tokens = Math.max(-perMinute, bucket.tokens - count);
  }

  /** The bucket of `key`, refilled up to now and made the most recently used. */
  private refilled(key: string, perMinute: number): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      const refill = ((now - bucket.updatedAt) / 60_000) * perMinute;
      bucket.tokens = Math.min(perMinute, bucket.tokens + refill);
      bucket.updatedAt = now;
      bucket.perMinute = perMinute;
    } else {
      bucket = { tokens: perMinute, updatedAt: now, perMinute };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    }
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Buckets currently held. */
  get size(): number {
    return this.buckets.size;
  }
}
