import { type Consumer, type EventBus } from '@sportello/platform';
import { busSubjectPattern, type EventEnvelope, type EventType } from '@sportello/schema';

/**
 * Events after which the public data of the event's comune reads differently: what an anonymous
 * caller can see (active alerts, ordinances on the Albo Pretorio) is published by civil protection.
 * Any of them drops every cached public response of that comune, whatever it asked for: coarse, but
 * a red alert is exactly when a stale answer must not survive, and refilling costs one fetch per
 * distinct question thanks to in-flight merging.
 */
export const PUBLIC_DATA_EVENTS = [
  'alert.issued',
  'alert.updated',
  'alert.cancelled',
  'ordinance.published',
] as const satisfies readonly EventType[];

/**
 * Listens on the bus for {@link PUBLIC_DATA_EVENTS} of every comune. A live listener: events
 * published while the gateway is down are missed, which the maximum age of cached answers bounds.
 */
export function listenForPublicDataChanges(
  bus: EventBus,
  onChange: (event: EventEnvelope) => void,
): Promise<Consumer> {
  return bus.listen(
    PUBLIC_DATA_EVENTS.map((type) => busSubjectPattern({ type })),
    onChange,
  );
}
