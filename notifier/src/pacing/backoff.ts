/** How retries are spaced. */
export interface BackoffPolicy {
  /** Delay cap for the first retry; doubles each attempt. @default 1000 */
  baseMs?: number;
  /** No delay exceeds this (except a longer provider "retry after"). @default 3600000 (1 h) */
  maxMs?: number;
  /** Random source in [0, 1), for tests. @default Math.random */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential with full jitter
 * (uniform in [0, min(max, base * 2^(attempt-1))]) so that many failed deliveries do not come back
 * in lockstep. A provider's `retryAfterMs` is a floor: the result is never shorter.
 * @throws Error when `attempt` is not a positive integer.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = {}, retryAfterMs?: number): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new Error(`attempt must be an integer >= 1, got ${attempt}`);
  const base = policy.baseMs ?? 1000;
  const max = policy.maxMs ?? 3_600_000;
  const random = policy.random ?? Math.random;
  // 2^attempt overflows to Infinity long before it matters; min() keeps it finite.
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, retryAfterMs !== undefined && retryAfterMs > 0 ? Math.ceil(retryAfterMs) : 0);
}
