import { ServerResponse, type IncomingMessage } from 'node:http';
import type { RouteResponse, ServiceRequest } from '@sportello/platform';

/** A Node request handler, such as a Koa application's `callback()`. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

/**
 * A response that keeps what a handler writes (status, headers, body) instead of sending it, so a
 * library answering with Node's `res` can serve a service route like any other (the service's
 * spans, limits and error handling included).
 */
class HeldResponse extends ServerResponse {
  private readonly chunks: Buffer[] = [];
  private ended!: () => void;
  readonly done = new Promise<void>((resolve) => {
    this.ended = resolve;
  });

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.keep(chunk, rest[0]);
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }

  override end(chunk?: unknown, ...rest: unknown[]): this {
    if (typeof chunk !== 'function') this.keep(chunk, rest[0]);
    const callback = [chunk, ...rest].find((argument) => typeof argument === 'function') as
      (() => void) | undefined;
    callback?.();
    this.ended();
    return this;
  }

  private keep(chunk: unknown, encoding: unknown): void {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (typeof chunk === 'string') {
      this.chunks.push(
        Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
      );
    } else if (chunk instanceof Uint8Array) {
      this.chunks.push(Buffer.from(chunk));
    }
  }

  answer(): RouteResponse {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(this.getHeaders())) {
      if (value === undefined) continue;
      headers[name] = Array.isArray(value) ? value : String(value);
    }
    return { status: this.statusCode, headers, body: Buffer.concat(this.chunks) };
  }
}

/**
 * Runs a Node handler for a service request and returns its answer as a route response. A request
 * body the service already read is handed on as `body` (a library's parser takes it from there).
 */
export async function runNodeHandler(handler: NodeHandler, request: ServiceRequest): Promise<RouteResponse> {
  const raw = request.raw as IncomingMessage & { body?: Buffer };
  if (request.method === 'POST' && raw.body === undefined) raw.body = await request.body();
  const response = new HeldResponse(raw);
  await handler(raw, response);
  await response.done;
  return response.answer();
}

/** A response for calls that only read the request (cookies) and write nothing that is sent. */
runNodeHandler.sink = (request: IncomingMessage): ServerResponse => new HeldResponse(request);
