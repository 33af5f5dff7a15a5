import type { z } from 'zod';
import { anagrafeEvents } from './anagrafe.events.js';
import { auditEvents } from './audit.events.js';
import { civilProtectionEvents } from './civil-protection.events.js';
import type { EventDefinition } from './define-event.js';
import type { EventEnvelope } from './envelope.js';
import { identityEvents } from './identity.events.js';
import { notifierEvents } from './notifier.events.js';
import { practicesEvents } from './practices.events.js';
import { tributiEvents } from './tributi.events.js';

type ByType<T extends readonly EventDefinition[]> = { readonly [D in T[number] as D['type']]: D };

function byType<const T extends readonly EventDefinition[]>(definitions: T): ByType<T> {
  const catalogue: Record<string, EventDefinition> = {};
  for (const definition of definitions) {
    if (Object.hasOwn(catalogue, definition.type)) {
      throw new Error(`event type ${definition.type} is defined twice`);
    }
    catalogue[definition.type] = definition;
  }
  return Object.freeze(catalogue) as ByType<T>;
}

/** Every event type of Sportello, keyed by type. The only place an event is defined. */
export const EVENTS = byType([
  ...identityEvents,
  ...anagrafeEvents,
  ...tributiEvents,
  ...practicesEvents,
  ...civilProtectionEvents,
  ...notifierEvents,
  ...auditEvents,
]);

type Catalogue = typeof EVENTS;

/** Every event type, e.g. `'practice.submitted'`. */
export type EventType = keyof Catalogue;

/** The `data` of an event type, as consumers see it (scalars branded and normalised). */
export type EventData<T extends EventType> = z.output<Catalogue[T]['data']>;

/** The `data` a producer passes to `createEvent` (plain strings where consumers get brands). */
export type EventDataInput<T extends EventType> = z.input<Catalogue[T]['data']>;

/** A validated event of one type. */
export type EventOf<T extends EventType> = EventEnvelope<T, EventData<T>>;

/** Any validated event: narrow it with `switch (event.type)`. */
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];

/** Whether a string names an event type of the catalogue. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENTS, type);
}

/** Catalogue entry of an event type (`undefined` for an unknown type). */
export function eventDefinition(type: string): EventDefinition | undefined {
  return isEventType(type) ? (EVENTS[type] as EventDefinition) : undefined;
}
