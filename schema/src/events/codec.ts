import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import {
  EVENTS,
  eventDefinition,
  type AnyEvent,
  type EventDataInput,
  type EventOf,
  type EventType,
} from './catalogue.js';
import type { Producer } from './define-event.js';
import { envelopeSchema, type Actor, type EventEnvelope } from './envelope.js';

/**
 * An event does not match the catalogue: malformed envelope, unknown type or version, or data that
 * breaks its schema. `issues` lists every problem as `path: reason`; the message starts with the
 * event type and version when they are known.
 */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';

  constructor(
    message: string,
    /** The event's type, when the envelope got that far. */
    readonly eventType: string | undefined,
    readonly issues: readonly string[],
  ) {
    super(message);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function issuesOf(error: z.ZodError, root?: string): string[] {
  return error.issues.map((issue) => {
    const path = pathOf(root === undefined ? issue.path : [root, ...issue.path]);
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}

function invalid(context: string, eventType: string | undefined, issues: string[]): EventValidationError {
  return new EventValidationError(`${context}: ${issues.join('; ')}`, eventType, issues);
}

/**
 * The events this process has already checked against the catalogue: the objects `parseEvent` and
 * `createEvent` returned and the copies `checkEvent` made. Checking one again returns it as it is,
 * so an event that crosses several hands in one process (its producer's outbox, the in-process
 * bus, live listeners, each consumer) is validated once, not at every hand.
 */
const checked = new WeakSet<object>();

function markChecked<T extends object>(event: T): T {
  checked.add(event);
  return event;
}

/**
 * Validates an event received from the bus, an outbox or a test: the envelope, then the data
 * against the catalogue entry of its type and version. A string is read as JSON. Returns the event
 * with its data normalised (fiscal codes upper-cased, unknown fields dropped).
 *
 * @throws {EventValidationError} on a malformed envelope, an unknown type or version, or bad data,
 *   e.g. `event practice.submitted v1: data.applicantFiscalCode: fiscal code: check letter ...`.
 */
export function parseEvent(input: unknown): AnyEvent {
  if (typeof input === 'object' && input !== null && checked.has(input)) return input as AnyEvent;
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw invalid('event', undefined, ['not valid JSON']);
    }
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) {
    const type = (value as { type?: unknown } | null)?.type;
    throw invalid('event envelope', typeof type === 'string' ? type : undefined, issuesOf(envelope.error));
  }
  const { type, version } = envelope.data;
  const definition = eventDefinition(type);
  if (!definition) {
    throw invalid(`event ${type}`, type, ['type is not in the event catalogue']);
  }
  if (version !== definition.version) {
    throw invalid(`event ${type}`, type, [
      `version ${version} is not supported (supported: ${definition.version})`,
    ]);
  }
  const data = definition.data.safeParse(envelope.data.data);
  if (!data.success) {
    throw invalid(`event ${type} v${version}`, type, issuesOf(data.error, 'data'));
  }
  return markChecked({ ...envelope.data, data: data.data } as AnyEvent);
}

/**
 * Validates an event and turns it into the JSON that travels on the bus and in the outbox. Fields
 * the catalogue does not define are dropped, so nothing undeclared (a name, an address) leaks.
 *
 * @throws {EventValidationError} when the event does not match the catalogue.
 */
export function serializeEvent(event: EventEnvelope): string {
  return JSON.stringify(parseEvent(event));
}

/** An event checked once: the JSON it travels as, and copies of it that need no second check. */
export interface CheckedEvent {
  /** What `serializeEvent` gives for it. */
  readonly text: string;
  /** A copy of the event of its own (changing it changes no other copy), known to be valid. */
  copy(): AnyEvent;
}

/**
 * Validates an event once (an event this process already checked is not checked again) and gives
 * its JSON and copies of it, as a bus hands each consumer and listener a copy of its own.
 *
 * @throws {EventValidationError} when the event does not match the catalogue.
 */
export function checkEvent(event: EventEnvelope): CheckedEvent {
  const text = serializeEvent(event);
  return { text, copy: () => markChecked(JSON.parse(text) as AnyEvent) };
}

/** What a producer says about a new event; the id, type and version are filled in. */
export interface CreateEventInput<T extends EventType> {
  /** ISTAT code of the comune the event belongs to. */
  comune: string;
  /** Public key of the entity the event is about; the bus keeps order per subject. */
  subject: string;
  /** Who caused it (`null` when nobody in particular did). */
  actor: Actor | null;
  data: EventDataInput<T>;
  /** @default now */
  occurredAt?: Date | string;
}

/**
 * Builds a validated event of the catalogue, with a fresh UUID v7 id and the type's current version.
 *
 * @throws {EventValidationError} when the type is unknown or the data, comune, subject or actor is
 *   invalid.
 */
export function createEvent<T extends EventType>(type: T, input: CreateEventInput<T>): EventOf<T> {
  const definition = eventDefinition(type);
  if (!definition) throw invalid(`event ${type}`, type, ['type is not in the event catalogue']);
  const occurredAt = input.occurredAt ?? new Date();
  return parseEvent({
    id: uuidv7(),
    type,
    version: definition.version,
    occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt,
    comune: input.comune,
    subject: input.subject,
    actor: input.actor,
    data: input.data,
  }) as EventOf<T>;
}

/**
 * The bus subject of an event: `sportello.<comune>.<producer>.<type>`, e.g.
 * `sportello.058091.practices.practice.submitted`.
 *
 * @throws {EventValidationError} when the type is unknown or the comune is not 6 digits (it would
 *   break subject routing).
 */
export function busSubject(event: { comune: string; type: string }): string {
  const definition = eventDefinition(event.type);
  if (!definition) throw invalid(`event ${event.type}`, event.type, ['type is not in the event catalogue']);
  if (!/^\d{6}$/.test(event.comune)) {
    throw invalid(`event ${event.type}`, event.type, ['comune must be a 6-digit ISTAT code']);
  }
  return `sportello.${event.comune}.${definition.producer}.${event.type}`;
}

/**
 * A subject pattern for consumers, with NATS wildcards for what is left out: `{ producer:
 * 'practices' }` gives `sportello.*.practices.>`, `{ type: 'alert.issued' }` gives
 * `sportello.*.civil-protection.alert.issued`.
 *
 * @throws {EventValidationError} for an unknown type, a type of another producer, or a bad comune.
 */
export function busSubjectPattern(
  filter: { comune?: string; producer?: Producer; type?: EventType } = {},
): string {
  const comune = filter.comune ?? '*';
  if (comune !== '*' && !/^\d{6}$/.test(comune)) {
    throw invalid('bus subject pattern', filter.type, ['comune must be a 6-digit ISTAT code']);
  }
  if (filter.type === undefined) return `sportello.${comune}.${filter.producer ?? '*'}.>`;
  const definition = eventDefinition(filter.type);
  if (!definition) throw invalid(`event ${filter.type}`, filter.type, ['type is not in the event catalogue']);
  if (filter.producer !== undefined && filter.producer !== definition.producer) {
    throw invalid('bus subject pattern', filter.type, [
      `${filter.type} is produced by ${definition.producer}, not ${filter.producer}`,
    ]);
  }
  return `sportello.${comune}.${definition.producer}.${filter.type}`;
}

/** Narrows a parsed event to one type. */
export function isEventOf<T extends EventType>(
  event: AnyEvent,
  type: T,
): event is Extract<AnyEvent, { type: T }> {
  return event.type === type;
}

/** The catalogue's types, in declaration order. */
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];
