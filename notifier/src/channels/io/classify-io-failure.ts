import { redactPersonalData, type SendFailure } from '../channel.js';

/** RFC 7807 problem details, as App IO returns them. */
export interface ProblemJson {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
}

/** What came back from one call to App IO. */
export interface IoCallOutcome {
  /** Which call: the profile check or the message submission. */
  step: 'profile' | 'message';
  /** HTTP status, absent when no response arrived. */
  status?: number;
  problem?: ProblemJson;
  /** The `Retry-After` header, if any. */
  retryAfter?: string | null;
  /** The network error, when no response arrived. */
  error?: unknown;
}

function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describe(outcome: IoCallOutcome): string {
  const problem = outcome.problem;
  const text = [problem?.title, problem?.detail].filter(Boolean).join(': ');
  return text === '' ? '' : `: ${redactPersonalData(text).slice(0, 300)}`;
}

/** Network failures before the request could reach App IO: nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The one place that decides whether an App IO failure is worth retrying. The services API has no
 * idempotency key: a submission whose answer was lost (no response, or IO's own 5xx) may have been
 * accepted, so it is `uncertain`, not retried blindly; a failed profile check sent nothing.
 */
export function classifyIoFailure(outcome: IoCallOutcome): SendFailure {
  const { step, status } = outcome;
  const what = step === 'profile' ? 'App IO profile check' : 'App IO message submission';
  // No response: the network or IO's gateway failed; the same call can succeed later.
  if (status === undefined) {
    const code = (outcome.error as { cause?: { code?: string } } | undefined)?.cause?.code;
    const name = (outcome.error as { name?: string } | undefined)?.name;
    const sentNothing = step === 'profile' || (code !== undefined && NOT_SENT_CODES.has(code));
    return {
      kind: sentNothing ? 'retryable' : 'uncertain',
      reason: `${what} failed without a response (${code ?? name ?? 'network error'})`,
      cause: outcome.error,
    };
  }
  // The recipient has no IO profile or has disabled the inbox: nothing can reach them on IO.
  if (step === 'profile' && status === 404) {
    return { kind: 'permanent', reason: 'recipient is not on App IO (no profile or inbox disabled)' };
  }
  // IO asks to slow down; honour Retry-After when it says how long.
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(outcome.retryAfter);
    return {
      kind: 'retryable',
      reason: `${what} throttled (429)`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  // IO's own trouble: a profile check can be asked again; a submission may have been stored.
  if (status >= 500) {
    return {
      kind: step === 'profile' ? 'retryable' : 'uncertain',
      reason: `${what} failed on App IO's side (${status})${describe(outcome)}`,
    };
  }
  // 401: the comune's key is wrong or revoked; 403: the service may not do this (e.g. it is not
  // allowed to send this kind of message). Repeating the request with the same key cannot succeed;
  // the operator fixes the configuration and requeues.
  if (status === 401 || status === 403) {
    return {
      kind: 'permanent',
      reason: `${what} refused (${status}): check the comune's App IO service key and permissions`,
    };
  }
  // 400 and any other 4xx: IO says this payload is invalid; it will be invalid next time too.
  return { kind: 'permanent', reason: `${what} rejected (${status})${describe(outcome)}` };
}
