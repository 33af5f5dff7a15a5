import { type RefusalError } from '../http/json-response.js';

/**
 * A request the admission pipeline stops: the HTTP status and error it is answered with, extra
 * headers (`Retry-After`, `WWW-Authenticate`), and the metric label of the reason. Over graphql-ws
 * the same error is the operation's error.
 */
export interface Refusal {
  status: number;
  error: RefusalError;
  headers?: Record<string, string>;
  /** `sportello_gateway_rejections_total{reason}`. */
  reason: string;
}

/** Whether a step's outcome is a refusal. */
export function isRefusal(value: unknown): value is Refusal {
  return (
    typeof value === 'object' && value !== null && 'status' in value && 'error' in value && 'reason' in value
  );
}
