import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forward, forwardedRouteOf, type ForwardOptions } from './forwarded-routes.js';

/** What the service behind the gateway saw of one upload. */
interface Received {
  bytes: number;
  /** Whether the whole body arrived (false: cut short). */
  complete: boolean | null;
}

const LIMIT = 1_048_576;

/** A service standing in for tributi: counts the upload as it arrives, answers with the count. */
function startService(): Promise<{ server: Server; url: string; seen: Received[] }> {
  const seen: Received[] = [];
  const server = createServer((req, res) => {
    const received: Received = { bytes: 0, complete: null };
    seen.push(received);
    req.on('data', (chunk: Buffer) => void (received.bytes += chunk.length));
    req.on('end', () => {
      received.complete = true;
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ bytes: received.bytes }));
    });
    req.on('close', () => void (received.complete ??= req.complete));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }),
    ),
  );
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/** Sends `chunks` one by one (chunked, no declared length unless given), awaiting `between` after the first. */
function upload(
  url: string,
  chunks: Buffer[],
  options: { contentLength?: number; between?: () => Promise<void>; strict?: boolean } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/payment-bulk-jobs?idempotencyKey=k`, {
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        ...(options.contentLength === undefined ? {} : { 'content-length': String(options.contentLength) }),
      },
    });
    // Strict: the answer counts once every byte was sent too (the client saw no reset).
    const sent = options.strict ? new Promise((done) => req.once('finish', done)) : Promise.resolve();
    req.on('response', (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => void sent.then(() => resolve({ status: response.statusCode ?? 0, body })));
    });
    // Unless strict, the gateway may close the connection while the rest is still being sent.
    req.on('error', (error) => (req.writableEnded && !options.strict ? undefined : reject(error)));
    void (async () => {
      for (const [index, chunk] of chunks.entries()) {
        if (req.destroyed) return;
        await new Promise<void>((done) => req.write(chunk, () => done()));
        if (index === 0) await options.between?.();
      }
      req.end();
    })().catch(() => undefined);
  });
}

/** A gateway that forwards every request to the tributi stand-in at `serviceUrl`, with a 1 MiB upload limit. */
function forwardingServer(serviceUrl: string): Server {
  const options: ForwardOptions = {
    serviceUrls: { tributi: serviceUrl },
    internalHeaders: () => ({}),
    clientIp: '127.0.0.1',
    publicUrl: 'https://sportello.example',
    maxBodyBytes: 1_000,
    maxUploadBytes: LIMIT,
    timeoutMs: 10_000,
  };
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    void forward(req, res, forwardedRouteOf(url.pathname)!, url, options);
  });
}

async function until(condition: () => boolean): Promise<void> {
  await expect.poll(condition, { timeout: 5_000, interval: 10 }).toBe(true);
}

describe('forwarding an upload to its service', () => {
  let service: Awaited<ReturnType<typeof startService>>;
  let gateway: Server;
  let gatewayUrl: string;

  beforeAll(async () => {
    service = await startService();
    gateway = forwardingServer(service.url);
    gatewayUrl = await listen(gateway);
  });
  beforeEach(() => {
    service.seen.length = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => gateway.close(resolve));
    await new Promise((resolve) => service.server.close(resolve));
  });

  it('streams a billing file on as it arrives: the service reads its start before the client has sent the rest', async () => {
    const chunks = Array.from({ length: 16 }, (_, i) => Buffer.alloc(60_000, 48 + (i % 10)));
    const answer = await upload(gatewayUrl, chunks, {
      // The service has the first part while the client still holds the other 15.
      between: () =>
        until(() => (service.seen[0]?.bytes ?? 0) >= 60_000 && service.seen[0]?.complete === null),
    });
    expect(answer).toEqual({ status: 201, body: JSON.stringify({ bytes: 16 * 60_000 }) });
  });

  it('refuses a file growing past the upload limit with 413 as soon as it does; the service sees it cut short', async () => {
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 49));
    const answer = await upload(gatewayUrl, chunks);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: `Request body exceeds ${LIMIT} bytes (1.0 MiB): nothing was stored`,
      code: 'PAYLOAD_TOO_LARGE',
      limit: { maxBytes: LIMIT },
    });
    await until(() => service.seen[0]?.complete === false);
    expect(service.seen[0]!.bytes).toBeLessThanOrEqual(LIMIT);
  });

  it('lets a client that goes on sending past the limit finish and read the 413, instead of a reset', async () => {
    const chunks = Array.from({ length: 16 * 16 }, () => Buffer.alloc(64 * 1024, 50));
    for (let attempt = 0; attempt < 3; attempt++) {
      service.seen.length = 0;
      const answer = await upload(gatewayUrl, chunks, { strict: true });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      await until(() => service.seen[0]?.complete === false);
    }
  });

  it('keeps the connection of a refused upload open while its client pauses longer than the keep-alive timeout', async () => {
    // The 413 goes out before the rest of the body arrives; the server's keep-alive idle timeout then
    // runs on a connection whose request is not finished. It must not cut it: the client would get a
    // reset on its next write and never read the answer.
    const idle = forwardingServer(service.url);
    idle.keepAliveTimeout = 100;
    let timedOut = 0;
    idle.on('connection', (socket) => socket.on('timeout', () => void timedOut++));
    const url = await listen(idle);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${url}/payment-bulk-jobs?idempotencyKey=k`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv' },
        });
        let answered: ((value: { status: number; body: string }) => void) | undefined;
        const response = new Promise<{ status: number; body: string }>((done) => (answered = done));
        req.on('response', (incoming: IncomingMessage) => {
          let body = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (text: string) => (body += text));
          incoming.on('end', () => answered!({ status: incoming.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        void (async () => {
          const chunk = Buffer.alloc(64 * 1024, 49);
          const write = () =>
            new Promise<void>((done, fail) =>
              req.destroyed
                ? fail(new Error('the connection was cut before the upload was sent'))
                : req.write(chunk, () => done()),
            );
          for (let i = 0; i < 20; i++) await write();
          const refused = await response;
          // The client pauses until the server's idle timeout has fired, then sends the rest.
          await expect.poll(() => timedOut, { timeout: 5_000, interval: 10 }).toBeGreaterThan(0);
          for (let i = 0; i < 4; i++) await write();
          if (req.destroyed) throw new Error('the connection was cut before the upload was sent');
          req.end(() => resolve(refused));
        })().catch(reject);
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    } finally {
      idle.closeAllConnections();
      await new Promise((resolve) => idle.close(resolve));
    }
  });

  it('refuses a declared length past the limit without reaching the service', async () => {
    const answer = await upload(gatewayUrl, [Buffer.from('payerFiscalCode;amountCents\n')], {
      contentLength: LIMIT + 1,
    });
    expect(answer.status).toBe(413);
    expect(service.seen).toEqual([]);
  });
});
