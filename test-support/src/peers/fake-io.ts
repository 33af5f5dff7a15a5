import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The services API operation a call was routed to. */
export type IoOperation = 'getProfile' | 'submitMessage' | 'getMessage' | 'unknown';

/** A citizen's IO profile as the fake knows it. */
export interface FakeIoProfile {
  /** False when the citizen turned the sending service off. */
  senderAllowed: boolean;
  preferredLanguages?: string[];
}

/** A message the fake accepted (HTTP 201). */
export interface FakeIoMessage {
  id: string;
  /** The subscription key it was sent with. */
  apiKey: string;
  fiscalCode: string;
  /** The request body as received. */
  body: Record<string, unknown>;
  /** PROCESSED when the profile exists and allows the sender, REJECTED otherwise (as IO does later). */
  status: 'PROCESSED' | 'REJECTED';
}

/** Options of {@link startFakeIo}. */
export interface FakeIoOptions {
  /** Accepted `Ocp-Apim-Subscription-Key` values. */
  keys: string[];
  /** Known citizens by fiscal code; anyone else answers 404. */
  profiles?: Record<string, FakeIoProfile>;
}

/** An injected failure: answer `status` to the next `count` calls (or for `forMs`). */
export interface FakeIoOutage {
  status: 429 | 500 | 503;
  count?: number;
  forMs?: number;
  /** Sent as `Retry-After` (seconds) with a 429. */
  retryAfterSeconds?: number;
}

/** A running fake of the App IO services API. */
export interface FakeIo {
  /** Pass as the IO service `baseUrl`. */
  readonly baseUrl: string;
  readonly messages: readonly FakeIoMessage[];
  /** Every call, in order (method, operation), without bodies. */
  readonly calls: ReadonlyArray<{ operation: IoOperation; status: number }>;
  setProfile(fiscalCode: string, profile: FakeIoProfile | undefined): void;
  /** Makes the API fail for a while, as an overloaded IO does. */
  outage(outage: FakeIoOutage): void;
  /**
   * The next `count` message submissions are stored (the citizen gets them) but answered 500: the
   * sender cannot tell (an answer lost after acceptance).
   */
  loseAnswers(count: number): void;
  close(): Promise<void>;
}

const FISCAL_CODE =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const NOTICE_NUMBER = /^[0123][0-9]{17}$/;
const ORGANIZATION_FISCAL_CODE = /^[0-9]{11}$/;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

type Violations = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(v: Violations, path: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string') v.push(`value at [${path}] is not a string`);
  else if (value.length < min || value.length > max) {
    v.push(`value at [${path}] has length ${value.length}, not within ${min}..${max}`);
  }
}

/** Validates a NewMessage body as the services API's schema does (the parts Sportello can send). */
function validateNewMessage(body: unknown): Violations {
  const v: Violations = [];
  if (!isObject(body)) return ['request body is not an object'];
  if (typeof body.fiscal_code !== 'string' || !FISCAL_CODE.test(body.fiscal_code)) {
    v.push('value at [root.fiscal_code] is not a valid fiscal code');
  }
  if (body.time_to_live !== undefined) {
    const ttl = body.time_to_live;
    if (!Number.isInteger(ttl) || (ttl as number) < 3600 || (ttl as number) > 604_800) {
      v.push('value at [root.time_to_live] is not an integer within 3600..604800');
    }
  }
  if (
    body.feature_level_type !== undefined &&
    body.feature_level_type !== 'STANDARD' &&
    body.feature_level_type !== 'ADVANCED'
  ) {
    v.push('value at [root.feature_level_type] is not STANDARD or ADVANCED');
  }
  const content = body.content;
  if (!isObject(content)) return [...v, 'value at [root.content] is required'];
  checkString(v, 'root.content.subject', content.subject, 10, 120);
  checkString(v, 'root.content.markdown', content.markdown, 80, 10_000);
  if (
    content.due_date !== undefined &&
    (typeof content.due_date !== 'string' || !UTC_TIMESTAMP.test(content.due_date))
  ) {
    v.push('value at [root.content.due_date] is not a UTC ISO-8601 timestamp');
  }
  const payment = content.payment_data;
  if (payment !== undefined) {
    if (!isObject(payment)) v.push('value at [root.content.payment_data] is not an object');
    else {
      const amount = payment.amount;
      if (!Number.isInteger(amount) || (amount as number) < 1 || (amount as number) > 9_999_999_999) {
        v.push('value at [root.content.payment_data.amount] is not an integer within 1..9999999999');
      }
      if (typeof payment.notice_number !== 'string' || !NOTICE_NUMBER.test(payment.notice_number)) {
        v.push('value at [root.content.payment_data.notice_number] does not match ^[0123][0-9]{17}$');
      }
      if (
        payment.invalid_after_due_date !== undefined &&
        typeof payment.invalid_after_due_date !== 'boolean'
      ) {
        v.push('value at [root.content.payment_data.invalid_after_due_date] is not a boolean');
      }
      if (payment.payee !== undefined) {
        const payee = payment.payee;
        if (
          !isObject(payee) ||
          typeof payee.fiscal_code !== 'string' ||
          !ORGANIZATION_FISCAL_CODE.test(payee.fiscal_code)
        ) {
          v.push('value at [root.content.payment_data.payee.fiscal_code] is not an organization fiscal code');
        }
      }
    }
  }
  return v;
}

/**
 * Starts an HTTP server on loopback speaking the App IO services API: `POST /api/v1/profiles`,
 * `POST /api/v1/messages` (fiscal code in the body), `POST /api/v1/messages/{fiscal_code}` and
 * `GET /api/v1/messages/{fiscal_code}/{id}`. It checks `Ocp-Apim-Subscription-Key`, validates bodies
 * against the spec's limits (400 problem+json naming each violation) and can simulate outages.
 */
export async function startFakeIo(options: FakeIoOptions): Promise<FakeIo> {
  const keys = new Set(options.keys);
  const profiles = new Map(Object.entries(options.profiles ?? {}));
  const messages: FakeIoMessage[] = [];
  const calls: Array<{ operation: IoOperation; status: number }> = [];
  let failing: (FakeIoOutage & { until?: number; left?: number }) | undefined;
  let answersToLose = 0;

  function json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(body === undefined ? '' : JSON.stringify(body));
  }
  function problem(res: ServerResponse, status: number, title: string, detail: string): void {
    res
      .writeHead(status, { 'content-type': 'application/problem+json' })
      .end(JSON.stringify({ type: 'about:blank', title, status, detail }));
  }

  function takeOutage(): FakeIoOutage | undefined {
    if (!failing) return undefined;
    if (failing.until !== undefined && Date.now() >= failing.until) failing = undefined;
    else if (failing.left !== undefined && failing.left <= 0) failing = undefined;
    if (!failing) return undefined;
    if (failing.left !== undefined) failing.left -= 1;
    return failing;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<IoOperation> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const operation: IoOperation =
      req.method === 'POST' && path === '/api/v1/profiles'
        ? 'getProfile'
        : req.method === 'POST' && /^\/api\/v1\/messages(\/[^/]+)?$/.test(path)
          ? 'submitMessage'
          : req.method === 'GET' && /^\/api\/v1\/messages\/[^/]+\/[^/]+$/.test(path)
            ? 'getMessage'
            : 'unknown';
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    if (operation === 'unknown') {
      json(res, 404, { statusCode: 404, message: 'Resource not found' });
      return operation;
    }
    // Azure API Management answers before the function runs.
    const key = req.headers['ocp-apim-subscription-key'];
    if (typeof key !== 'string' || !keys.has(key)) {
      json(res, 401, {
        statusCode: 401,
        message:
          'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
      });
      return operation;
    }
    const outage = takeOutage();
    if (outage) {
      if (outage.status === 429) {
        json(
          res,
          429,
          undefined,
          outage.retryAfterSeconds ? { 'retry-after': String(outage.retryAfterSeconds) } : {},
        );
      } else problem(res, outage.status, 'Internal server error', 'The service is temporarily unavailable');
      return operation;
    }
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        problem(res, 400, 'Invalid payload', 'request body is not valid JSON');
        return operation;
      }
    }

    if (operation === 'getProfile') {
      const fiscalCode = isObject(body) ? body.fiscal_code : undefined;
      if (typeof fiscalCode !== 'string' || !FISCAL_CODE.test(fiscalCode)) {
        problem(
          res,
          400,
          'Invalid FiscalCodePayload',
          'value at [root.fiscal_code] is not a valid fiscal code',
        );
        return operation;
      }
      const profile = profiles.get(fiscalCode);
      if (!profile) {
        problem(res, 404, 'Profile not found', 'The profile you requested was not found in the system.');
        return operation;
      }
      json(res, 200, {
        sender_allowed: profile.senderAllowed,
        preferred_languages: profile.preferredLanguages ?? ['it_IT'],
      });
      return operation;
    }

    if (operation === 'submitMessage') {
      const inPath = /^\/api\/v1\/messages\/([^/]+)$/.exec(path)?.[1];
      const message = isObject(body) && inPath ? { ...body, fiscal_code: decodeURIComponent(inPath) } : body;
      const violations = validateNewMessage(message);
      if (violations.length > 0) {
        problem(res, 400, 'Invalid NewMessage', violations.join('; '));
        return operation;
      }
      const accepted = message as Record<string, unknown> & { fiscal_code: string };
      const id = randomBytes(13).toString('hex').toUpperCase().slice(0, 26);
      const profile = profiles.get(accepted.fiscal_code);
      messages.push({
        id,
        apiKey: key,
        fiscalCode: accepted.fiscal_code,
        body: accepted,
        status: profile?.senderAllowed ? 'PROCESSED' : 'REJECTED',
      });
      if (answersToLose > 0) {
        answersToLose -= 1;
        problem(res, 500, 'Internal server error', 'The service is temporarily unavailable');
        return operation;
      }
      json(res, 201, { id }, { location: `/api/v1/messages/${accepted.fiscal_code}/${id}` });
      return operation;
    }

    const [, , , , fiscalCode, id] = path.split('/');
    const found = messages.find((m) => m.id === id && m.fiscalCode === fiscalCode && m.apiKey === key);
    if (!found) problem(res, 404, 'Message not found', 'No message found for the provided ID.');
    else
      json(res, 200, {
        message: {
          id: found.id,
          fiscal_code: found.fiscalCode,
          content: (found.body as { content: unknown }).content,
        },
        status: found.status,
      });
    return operation;
  }

  const server = createServer((req, res) => {
    handle(req, res)
      .then((operation) => calls.push({ operation, status: res.statusCode }))
      .catch(() => {
        if (!res.headersSent) problem(res, 500, 'Internal server error', 'fake IO failed');
      });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    calls,
    setProfile(fiscalCode, profile) {
      if (profile) profiles.set(fiscalCode, profile);
      else profiles.delete(fiscalCode);
    },
    loseAnswers(count) {
      answersToLose = count;
    },
    outage(outage) {
      failing = {
        ...outage,
        ...(outage.forMs !== undefined ? { until: Date.now() + outage.forMs } : {}),
        ...(outage.count !== undefined || outage.forMs === undefined ? { left: outage.count ?? 1 } : {}),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
