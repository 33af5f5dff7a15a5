import { envelopeSchema, type EventEnvelope } from '@sportello/schema';
import { type z } from 'zod';

/** An event that does not match the envelope; the message names the bad fields, never their values. */
export class MalformedEventError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`malformed event: ${reason}`, options);
    this.name = 'MalformedEventError';
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/**
 * The bytes an event travels as on every adapter (JSON of the validated envelope).
 * @throws MalformedEventError when the event does not match the envelope.
 */
export function encodeEvent(event: EventEnvelope): string {
  const result = envelopeSchema.safeParse(event);
  if (!result.success) throw new MalformedEventError(describe(result.error));
  return JSON.stringify(result.data);
}

/**
 * Parses what `encodeEvent` produced.
 * @throws MalformedEventError when the text is not JSON or not an envelope.
 */
export function decodeEvent(text: string): EventEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new MalformedEventError('payload is not JSON', { cause });
  }
  const result = envelopeSchema.safeParse(raw);
  if (!result.success) throw new MalformedEventError(describe(result.error));
  return result.data as EventEnvelope;
}
