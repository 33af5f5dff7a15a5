import {
  delivered,
  failed,
  wrongRecipient,
  type Channel,
  type OutgoingMessage,
  type SendResult,
} from '../channel.js';
import type { RateLimiter } from '../../pacing/rate-limiter.js';
import { classifyIoFailure, type IoCallOutcome, type ProblemJson } from './classify-io-failure.js';
import { prepareIoContent } from './io-content.js';

/** Where and as whom a comune sends to App IO: one IO service (and key) per comune. */
export interface IoServiceCredentials {
  /** Root of the services API, without `/api/v1`, e.g. `https://api.io.pagopa.it`. */
  baseUrl: string;
  /** The service's `Ocp-Apim-Subscription-Key`. */
  apiKey: string;
}

/** Settings of the App IO channel. */
export interface IoChannelConfig {
  /** Credentials of the comune's IO service; `undefined` when the comune has none. */
  resolveService(
    comune: string,
  ): IoServiceCredentials | undefined | Promise<IoServiceCredentials | undefined>;
  /** How long IO keeps trying to notify the citizen, 3600-604800 s. Omitted when unset (IO's default). */
  timeToLiveSeconds?: number;
  /** Timeout of each HTTP call. @default 10000 */
  requestTimeoutMs?: number;
}

/** Optional collaborators of the App IO channel. */
export interface IoChannelDeps {
  /** Paces calls, keyed by comune (each comune has its own IO service and quota). */
  limiter?: RateLimiter;
}

/** The App IO channel. */
export interface IoChannel extends Channel {
  readonly name: 'io';
}

interface IoResponse {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

/**
 * Creates the App IO channel: checks the citizen's profile (`POST /api/v1/profiles`), then submits
 * the message with the fiscal code in the body (`POST /api/v1/messages`), so the fiscal code never
 * appears in a URL or an access log.
 * @throws Error when `timeToLiveSeconds` is outside IO's 3600-604800 range.
 */
export function createIoChannel(config: IoChannelConfig, deps: IoChannelDeps = {}): IoChannel {
  const ttl = config.timeToLiveSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 3600 || ttl > 604_800)) {
    throw new Error(`io channel: timeToLiveSeconds must be an integer in 3600..604800, got ${ttl}`);
  }
  const timeoutMs = config.requestTimeoutMs ?? 10_000;

  async function post(service: IoServiceCredentials, path: string, body: unknown): Promise<IoResponse> {
    const response = await fetch(
      new URL(path, service.baseUrl.endsWith('/') ? service.baseUrl : `${service.baseUrl}/`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Ocp-Apim-Subscription-Key': service.apiKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      },
    );
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, retryAfter: response.headers.get('retry-after') };
  }

  async function call(
    step: IoCallOutcome['step'],
    service: IoServiceCredentials,
    path: string,
    body: unknown,
  ) {
    try {
      return { response: await post(service, path, body) };
    } catch (error) {
      return { failure: classifyIoFailure({ step, error }) };
    }
  }

  function problemOf(body: unknown): ProblemJson | undefined {
    return typeof body === 'object' && body !== null ? (body as ProblemJson) : undefined;
  }

  async function send(message: OutgoingMessage): Promise<SendResult> {
    if (message.recipient.channel !== 'io') return wrongRecipient('io', message.recipient);
    const fiscalCode = message.recipient.fiscalCode;
    const content = prepareIoContent(message);
    if (!content.ok) return failed({ kind: 'permanent', reason: content.reason });
    const service = await config.resolveService(message.comune);
    if (!service) {
      return failed({
        kind: 'permanent',
        reason: `no App IO service is configured for comune ${message.comune}`,
      });
    }

    await deps.limiter?.acquire(message.comune);
    const profile = await call('profile', service, 'api/v1/profiles', { fiscal_code: fiscalCode });
    if (profile.failure) return failed(profile.failure);
    const { response: profileResponse } = profile;
    if (profileResponse.status !== 200) {
      return failed(
        classifyIoFailure({
          step: 'profile',
          status: profileResponse.status,
          problem: problemOf(profileResponse.body),
          retryAfter: profileResponse.retryAfter,
        }),
      );
    }
    if ((profileResponse.body as { sender_allowed?: unknown } | undefined)?.sender_allowed !== true) {
      return failed({
        kind: 'permanent',
        reason: "recipient has turned off this comune's service on App IO",
      });
    }

    const payment = message.payment;
    const body = {
      fiscal_code: fiscalCode,
      ...(ttl !== undefined ? { time_to_live: ttl } : {}),
      content: {
        subject: content.subject,
        markdown: content.markdown,
        ...(message.dueDate ? { due_date: message.dueDate.toISOString() } : {}),
        ...(payment
          ? {
              payment_data: {
                amount: payment.amountCents,
                notice_number: payment.noticeNumber,
                invalid_after_due_date: payment.invalidAfterDueDate ?? false,
                ...(payment.payeeFiscalCode ? { payee: { fiscal_code: payment.payeeFiscalCode } } : {}),
              },
            }
          : {}),
      },
    };
    await deps.limiter?.acquire(message.comune);
    const submitted = await call('message', service, 'api/v1/messages', body);
    if (submitted.failure) return failed(submitted.failure);
    const { response } = submitted;
    const id = (response.body as { id?: unknown } | undefined)?.id;
    if (response.status === 201 && typeof id === 'string') return delivered(id);
    return failed(
      classifyIoFailure({
        step: 'message',
        // A 201 without an id breaks the contract: treat it as IO's fault, like a 5xx.
        status: response.status === 201 ? 502 : response.status,
        problem: problemOf(response.body),
        retryAfter: response.retryAfter,
      }),
    );
  }

  return { name: 'io', send };
}
