import { busSubjectPattern, type AnyEvent, type EventType } from '@sportello/schema';
import type { Database } from '../database/database.js';
import type { Logger } from '../logging/logger.js';
import { consumerNameFor } from '../outbox/consumer-name.js';
import type { Consumer, ConsumerOptions, EventBus } from './event-bus.js';
import { parseConsumedEvent } from './event-codec.js';

/** What {@link consumeEvents} needs. */
export interface EventConsumerSetup<T extends EventType> extends Omit<ConsumerOptions, 'name' | 'subjects'> {
  bus: EventBus;
  /** The service database whose inbox the handler fills: names the durable consumer with it. */
  database: Pick<Database, 'driver' | 'service' | 'orm'>;
  logger: Pick<Logger, 'error'>;
  /** The consumer's name, also its inbox name for `handleOnce`. */
  name: string;
  /** The event types the consumer follows, from any comune. */
  types: readonly T[];
}

/**
 * A service's durable consumer of some event types: named after its database
 * ({@link consumerNameFor}), subscribed to each type in every comune, and handed only valid events
 * of those types; an event the catalogue refuses is logged and skipped ({@link parseConsumedEvent}).
 */
export function consumeEvents<const T extends EventType>(
  setup: EventConsumerSetup<T>,
  handle: (event: Extract<AnyEvent, { type: T }>) => Promise<void>,
): Promise<Consumer> {
  const { bus, database, logger, name, types, ...options } = setup;
  const wanted = new Set<EventType>(types);
  return bus.consume(
    {
      ...options,
      name: consumerNameFor(name, database),
      subjects: types.map((type) => busSubjectPattern({ type })),
    },
    async (envelope) => {
      const event: AnyEvent | undefined = parseConsumedEvent(envelope, logger, name);
      if (event === undefined || !wanted.has(event.type)) return;
      await handle(event as Extract<AnyEvent, { type: T }>);
    },
  );
}
