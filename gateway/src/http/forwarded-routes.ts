import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { injectTraceContext } from '@sportello/platform';
import { context as traceContext } from '@opentelemetry/api';
import { BodyTooLargeError, discardRestOfBody, readBodyBytes } from './request-body.js';
import { sendJson } from './json-response.js';

/**
 * An HTTP route a client needs beside GraphQL, served on the public origin and answered by the
 * service that owns it.
 */
export interface ForwardedRoute {
  /** An exact path, or a prefix ending in `/` (everything under it). */
  path: string;
  /** The subgraph (service) that answers it. */
  service: string;
  /** Methods the route accepts; others get 405. */
  methods: readonly string[];
  /**
   * `upload`: bodies up to the upload limit (attachments, ordinance documents, billing files), else the API's body
   * limit.
   */
  body?: 'upload';
  /**
   * How long the service may take to answer, when longer than the gateway's subgraph timeout:
   * counted from the upload's last byte.
   */
  answerWithinMs?: number;
}

/**
 * Every route of the services a client, a browser or a peer reaches: identity's OpenID provider,
 * certificate download and verification, attachments and the documents of replies to notices of
 * obstacles, the open-data feeds and the upload of
 * ordinance documents, tributi's billing files, pagoPA receipts, the Telegram webhook and the one-click unsubscribe links of
 * emails.
 */
export const FORWARDED_ROUTES: readonly ForwardedRoute[] = [
  { path: '/.well-known/openid-configuration', service: 'identity', methods: ['GET'] },
  { path: '/.well-known/jwks.json', service: 'identity', methods: ['GET'] },
  { path: '/oauth/', service: 'identity', methods: ['GET', 'POST'] },
  { path: '/auth/', service: 'identity', methods: ['GET', 'POST'] },
  { path: '/certificates/', service: 'anagrafe', methods: ['GET'] },
  { path: '/residence-change-documents', service: 'anagrafe', methods: ['POST'], body: 'upload' },
  { path: '/residence-change-documents/', service: 'anagrafe', methods: ['GET'] },
  { path: '/attachments', service: 'practices', methods: ['POST'], body: 'upload' },
  { path: '/attachments/', service: 'practices', methods: ['GET'] },
  { path: '/feeds/', service: 'civil-protection', methods: ['GET', 'HEAD'] },
  { path: '/ordinance-documents', service: 'civil-protection', methods: ['POST'], body: 'upload' },
  { path: '/payments/receipts', service: 'tributi', methods: ['POST'] },
  // A billing file of 100,000 lines is checked and stored whole before the answer.
  {
    path: '/payment-bulk-jobs',
    service: 'tributi',
    methods: ['POST'],
    body: 'upload',
    answerWithinMs: 60_000,
  },
  { path: '/telegram/webhook', service: 'notifier', methods: ['POST'] },
  { path: '/unsubscribe', service: 'notifier', methods: ['GET', 'POST'] },
];

/** The forwarded route serving a path, if any. */
export function forwardedRouteOf(path: string): ForwardedRoute | undefined {
  return FORWARDED_ROUTES.find((route) =>
    route.path.endsWith('/')
      ? path.startsWith(route.path) && path.length > route.path.length
      : path === route.path,
  );
}

/** Request headers a service may need; everything else (hop-by-hop, cookies of other apps) stays. */
const PASSED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'authorization',
  'content-type',
  'if-none-match',
  'if-modified-since',
  'user-agent',
  'x-comune',
  'x-request-id',
  'x-telegram-bot-api-secret-token',
  'cookie',
];

/** Response headers that do not describe the body or its caching, or that only hold between two hops. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'content-length',
  'content-encoding',
]);

export interface ForwardOptions {
  /** Base URL of each service (`http://127.0.0.1:4001`). */
  serviceUrls: Record<string, string>;
  /** The internal assertion and any other header proving the request comes from the gateway. */
  internalHeaders: () => Record<string, string>;
  /** The caller's address as the gateway established it (sent in `x-forwarded-for`). */
  clientIp: string;
  /** The public origin: `x-forwarded-host` and `-proto` tell the service how it was reached. */
  publicUrl: string;
  maxBodyBytes: number;
  maxUploadBytes: number;
  timeoutMs: number;
}

/**
 * Sends a request on to the service owning its route and streams the answer back: method, path,
 * query, the headers a service needs, the body (bounded: 413 beyond the limit), the caller's address,
 * trace context and the internal assertion. An upload is streamed on as it arrives, never held
 * whole here, and cut off with a 413 as soon as it passes the upload limit (the service sees it
 * cut short and keeps nothing). A service that cannot be reached is a 502; one that does not
 * answer in time (counted from an upload's last byte), a 504.
 */
export async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  route: ForwardedRoute,
  url: URL,
  options: ForwardOptions,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (!route.methods.includes(method)) {
    return sendJson(res, 405, { error: `Method ${method} not allowed` }, { allow: route.methods.join(', ') });
  }
  const base = options.serviceUrls[route.service];
  if (base === undefined) return sendJson(res, 404, { error: `No route ${url.pathname}` });
  let body: Buffer | Readable | undefined;
  let upload: UploadLimit | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const limit = route.body === 'upload' ? options.maxUploadBytes : options.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return refuseTooLarge(req, res, limit);
    if (route.body === 'upload') {
      // Streamed on as it arrives (a billing file of 100,000 lines never sits here whole), counted.
      upload = new UploadLimit(limit);
      body = req.pipe(upload);
      req.once('error', (error) => upload?.destroy(error));
    } else {
      try {
        body = await readBodyBytes(req, limit);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        return refuseTooLarge(req, res, limit);
      }
    }
  }
  const headers = new Headers();
  for (const name of PASSED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const publicOrigin = new URL(options.publicUrl);
  headers.set('x-forwarded-for', options.clientIp);
  headers.set('x-forwarded-host', publicOrigin.host);
  headers.set('x-forwarded-proto', publicOrigin.protocol.slice(0, -1));
  for (const [name, value] of Object.entries(options.internalHeaders())) headers.set(name, value);
  injectTraceContext(headers, traceContext.active());

  // An upload's time to answer counts from its last byte: sending 12 MiB may take a while.
  const timeoutMs = Math.max(options.timeoutMs, route.answerWithinMs ?? 0);
  const deadline = new AbortController();
  const startClock = () =>
    setTimeout(
      () => deadline.abort(new DOMException('The service did not answer in time', 'TimeoutError')),
      timeoutMs,
    ).unref();
  if (upload === undefined) startClock();
  else upload.once('finish', startClock);
  let answer: Response;
  try {
    answer = await fetch(`${base}${url.pathname}${url.search}`, {
      method,
      headers,
      ...(body === undefined
        ? {}
        : body instanceof Readable
          ? { body: Readable.toWeb(body) as ReadableStream<Uint8Array>, duplex: 'half' as const }
          : { body }),
      redirect: 'manual',
      signal: deadline.signal,
    });
  } catch (error) {
    // The upload went past the limit while streaming: the service saw it cut short and kept nothing.
    if (upload?.exceeded) return refuseTooLarge(req, res, upload.limit);
    if (req.destroyed && !req.complete) return void res.destroy();
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return sendJson(res, timedOut ? 504 : 502, {
      error: timedOut
        ? `The ${route.service} service did not answer within ${timeoutMs} ms`
        : `The ${route.service} service is unavailable; retry later`,
    });
  }
  const responseHeaders: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'set-cookie') responseHeaders[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) responseHeaders['set-cookie'] = cookies;
  if (upload !== undefined && !req.complete) {
    // The service answered before reading the whole upload (a refusal): the rest is dropped.
    discardRestOfBody(req, res);
  }
  res.writeHead(answer.status, responseHeaders);
  if (answer.body === null || method === 'HEAD') return void res.end();
  await new Promise<void>((resolve, reject) => {
    Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream)
      .on('error', reject)
      .pipe(res)
      .on('finish', resolve)
      .on('error', reject);
  });
}

/** Passes an upload on while counting it; errors as soon as it grows past `limit` bytes. */
class UploadLimit extends Transform {
  private received = 0;
  exceeded = false;

  constructor(readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.limit) {
      this.exceeded = true;
      done(new BodyTooLargeError(this.limit));
      return;
    }
    done(null, chunk);
  }
}

/**
 * 413 with the limit. The rest of the body is read and dropped (bounded), so a client still sending
 * it reads the answer rather than a reset; nothing of it is passed on.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  discardRestOfBody(req, res);
  sendJson(res, 413, {
    error: `Request body exceeds ${limit} bytes (${(limit / 1_048_576).toFixed(1)} MiB): nothing was stored`,
    code: 'PAYLOAD_TOO_LARGE',
    limit: { maxBytes: limit },
  });
}
