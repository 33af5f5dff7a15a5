import { type IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../http/request-body.js';
import { type Refusal } from './refusal.js';

/**
 * HTTP only (a socket's frames are bounded by `maxPayload`): the body, refused past `maxBytes` (413,
 * before it is buffered whole) and, when it says it is JSON, parsed (400 when it is not).
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ body: unknown } | Refusal> {
  let text: string;
  try {
    text = await readBody(req, maxBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return {
      status: 413,
      reason: 'body_too_large',
      error: {
        message: error.message,
        extensions: { code: 'PAYLOAD_TOO_LARGE', limit: { name: 'maxBodyBytes', max: error.maxBytes } },
      },
    };
  }
  if (!(req.headers['content-type'] ?? '').includes('json')) return { body: text };
  try {
    return { body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  } catch {
    return {
      status: 400,
      reason: 'bad_json',
      error: { message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } },
    };
  }
}
