import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** The body is larger than the server accepts; answered with 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds the limit of ${limitBytes} bytes`);
  }
}

/** The body cannot be decoded as the route expects; answered with 400. */
export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}

/** One incoming HTTP request, as route handlers and context factories see it. */
export interface ServiceRequest {
  readonly method: string;
  /** Path and query, resolved against the server's own origin. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** From a well-formed `x-request-id` header (so a gateway's id follows the request), else new. */
  readonly requestId: string;
  readonly raw: IncomingMessage;
  /**
   * The body, read once and cached.
   * @throws {PayloadTooLargeError} beyond the server's `maxBodyBytes`.
   */
  body(): Promise<Buffer>;
  /** The body parsed as JSON. @throws {MalformedBodyError} */
  json(): Promise<unknown>;
  /** The body parsed as `application/x-www-form-urlencoded` (OAuth token requests). */
  form(): Promise<URLSearchParams>;
  /** A single header value (the first one when repeated). */
  header(name: string): string | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Reads a request body up to `limitBytes`, for routes that take a file as the raw body with a limit
 * of their own (uploads) instead of the server's. Beyond the limit the rest is drained, so the client
 * can finish sending and read the answer. @throws {PayloadTooLargeError}
 */
export function readBounded(raw: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes)
    return Promise.reject(new PayloadTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        raw.off('data', onData);
        // Keep reading into the void so the client can finish sending and read the 413.
        raw.resume();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    raw.on('data', onData);
    raw.once('end', () => resolve(Buffer.concat(chunks)));
    raw.once('error', reject);
  });
}

export function createServiceRequest(raw: IncomingMessage, maxBodyBytes: number): ServiceRequest {
  const given = raw.headers['x-request-id'];
  const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  const url = new URL(raw.url ?? '/', `http://${raw.headers.host ?? 'localhost'}`);
  let body: Promise<Buffer> | undefined;
  const request: ServiceRequest = {
    method: raw.method ?? 'GET',
    url,
    headers: raw.headers,
    requestId,
    raw,
    body: () => (body ??= readBounded(raw, maxBodyBytes)),
    async json() {
      const text = (await request.body()).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new MalformedBodyError('Request body is not valid JSON');
      }
    },
    async form() {
      return new URLSearchParams((await request.body()).toString('utf8'));
    },
    header(name) {
      const value = raw.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
  };
  return request;
}
