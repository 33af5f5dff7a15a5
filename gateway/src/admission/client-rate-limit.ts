import { type Caller } from '../auth/caller.js';
import { type SharedRateLimits } from '../limits/shared-rate-limits.js';
import { type Refusal } from './refusal.js';

/**
 * Step 3, every operation (an HTTP request, and each operation sent over a socket): an app by its
 * client id, a person by their token, has a budget of its own.
 */
export function admitClient(rateLimits: SharedRateLimits, caller: Caller): Refusal | undefined {
  if (!caller.clientId || !caller.clientPerMinute) return undefined;
  const decision = rateLimits.take('client', caller.clientId, caller.clientPerMinute);
  if (decision.allowed) return undefined;
  return {
    status: 429,
    reason: 'rate_limit_client',
    headers: { 'retry-after': String(decision.retryAfterSeconds) },
    error: {
      message: `Too many requests from client "${caller.clientId}": the limit is ${caller.clientPerMinute} a minute; retry in ${decision.retryAfterSeconds} s`,
      extensions: {
        code: 'RATE_LIMITED',
        limit: { name: 'clientPerMinute', max: caller.clientPerMinute },
        retryAfterSeconds: decision.retryAfterSeconds,
      },
    },
  };
}
