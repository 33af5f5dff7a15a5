import { type IncomingMessage, type ServerResponse } from 'node:http';

/** The body is longer than allowed. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';

  constructor(readonly maxBytes: number) {
    super(`Request body exceeds ${maxBytes} bytes (maxBodyBytes)`);
  }
}

/**
 * Reads the request body, refusing it as soon as it passes `maxBytes` (declared length first,
 * then bytes actually received), so an oversized upload is never buffered whole.
 * @throws {BodyTooLargeError}
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return (await readBodyBytes(req, maxBytes)).toString('utf8');
}

/** {@link readBody} for any content (uploads), as bytes. @throws {BodyTooLargeError} */
export async function readBodyBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const chunks: Buffer[] = [];
  let received = 0;
  // Not destroyed on refusal: the caller answers, then drops the rest (see discardRestOfBody).
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** How much of a refused body is still read and dropped, and for how long, before the connection is cut. */
export const DISCARD_LIMITS = { maxBytes: 64 * 1_048_576, maxMs: 30_000 };

/**
 * Reads and drops the rest of a refused request body, so that a client still sending it reads the
 * answer (a 413, a service's refusal) instead of a connection reset: a lingering close. Bounded in
 * bytes and in time; past either, the connection is cut.
 */
export function discardRestOfBody(req: IncomingMessage, res: ServerResponse, limits = DISCARD_LIMITS): void {
  if (req.complete || req.destroyed) return;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    // Too much to drop: the connection is cut once the answer is out.
    res.once('finish', () => req.destroy());
    return;
  }
  let dropped = 0;
  const settle = () => {
    clearTimeout(timer);
    req.off('timeout', keepOpen);
  };
  const cut = () => {
    settle();
    req.off('data', onData);
    req.destroy();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limits.maxBytes) cut();
  };
  // Once the answer is out, the server's keep-alive idle timeout runs on the connection: a client
  // pausing that long mid-body (a loaded machine, a slow link) would be cut. Until the body ends,
  // the bounds here decide.
  const keepOpen = () => undefined;
  const timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  req.on('timeout', keepOpen);
  req.on('data', onData);
  req.once('end', settle);
  req.once('close', settle);
  req.resume();
}
