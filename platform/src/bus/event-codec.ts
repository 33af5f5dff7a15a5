import {
  EventValidationError,
  parseEvent,
  serializeEvent,
  type AnyEvent,
  type EventEnvelope,
} from '@sportello/schema';

/**
 * The bytes an event travels as on every adapter: `serializeEvent` of @sportello/schema, so nothing
 * outside the catalogue goes on the bus.
 * @throws EventValidationError when the event does not match the catalogue.
 */
export function encodeEvent(event: EventEnvelope): string {
  return serializeEvent(event);
}

/**
 * Parses what `encodeEvent` produced, validating it again (`parseEvent`).
 * @throws EventValidationError when the text is not an event of the catalogue.
 */
export function decodeEvent(text: string): EventEnvelope {
  return parseEvent(text);
}

/**
 * Why a payload was rejected, safe for a log line: the paths of the bad fields only, since the
 * reasons could quote a value (and values may be personal data).
 */
export function rejectionReason(error: unknown): string {
  if (error instanceof EventValidationError) {
    const where = error.issues.map((issue) => issue.split(':')[0]?.trim() ?? '').filter(Boolean);
    return `${error.eventType ?? 'unknown type'}: ${where.join(', ') || 'invalid'}`;
  }
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * A consumer's parse of what it received: the event, or `undefined` for one the catalogue refuses,
 * logged with {@link rejectionReason} (field paths only, never values). Redelivering it would fail
 * the same way, and the producer validated it, so it is a version skew to skip, not to retry.
 * @throws whatever else `parseEvent` throws
 */
export function parseConsumedEvent(
  envelope: EventEnvelope,
  logger: { error(fields: object, message: string): void },
  consumer: string,
): AnyEvent | undefined {
  try {
    return parseEvent(envelope);
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    logger.error(
      { eventId: envelope.id, type: envelope.type, consumer, reason: rejectionReason(error) },
      'event skipped: invalid',
    );
    return undefined;
  }
}
