import { type SharedRateLimits } from '../limits/shared-rate-limits.js';
import { type Refusal } from './refusal.js';

/** Step 1, every request and every socket: the caller's address has a budget of its own. */
export function admitAddress(
  rateLimits: SharedRateLimits,
  address: string,
  perMinute: number,
): Refusal | undefined {
  const decision = rateLimits.take('ip', address, perMinute);
  if (decision.allowed) return undefined;
  return {
    status: 429,
    reason: 'rate_limit_ip',
    headers: { 'retry-after': String(decision.retryAfterSeconds) },
    error: {
      message: `Too many requests from this address: the limit is ${perMinute} a minute (ipPerMinute); retry in ${decision.retryAfterSeconds} s`,
      extensions: {
        code: 'RATE_LIMITED',
        limit: { name: 'ipPerMinute', max: perMinute },
        retryAfterSeconds: decision.retryAfterSeconds,
      },
    },
  };
}
