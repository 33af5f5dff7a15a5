import type { EventEnvelope } from '@sportello/schema';
import type { EventBus } from '../event-bus.js';

/** A bus for tests of publishers (the outbox relay): `publish` as given, anything else refused. */
export function publishOnlyBus(publish: (event: EventEnvelope) => Promise<void>): EventBus {
  const unused = () => new Error('not used by a publisher');
  return {
    publish,
    consume: () => Promise.reject(unused()),
    listen: () => Promise.reject(unused()),
    broadcast: () => {
      throw unused();
    },
    onBroadcast: () => Promise.reject(unused()),
    close: () => Promise.resolve(),
  };
}
