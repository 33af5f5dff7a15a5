import { type IncomingMessage } from 'node:http';

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
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
