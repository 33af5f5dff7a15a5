import type { EventBus, Logger } from '@sportello/platform';
import { createEvent } from '@sportello/schema';
import type { ChannelName } from '../channels/channel.js';
import type { ChannelCounts, DeliveryStore } from './delivery-store.js';

/** Settings of {@link createStatsEmitter}. */
export interface StatsEmitterOptions {
  store: DeliveryStore;
  bus: EventBus;
  logger: Logger;
  /** At most one event per source event in this interval. @default 500 */
  throttleMs?: number;
}

/** Publishes `delivery.stats-changed` for events whose deliveries moved, throttled. */
export interface StatsEmitter {
  /** A delivery of this event changed state. */
  changed(event: { eventId: string; eventType: string; comune: string }): void;
  /** Publishes what is pending now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The event's per-channel counts: `uncertain` deliveries need staff, like dead ones. */
export function statsPayload(counts: Map<ChannelName, ChannelCounts> | undefined) {
  const channels: Partial<
    Record<ChannelName, { planned: number; sent: number; failed: number; dead: number }>
  > = {};
  for (const [channel, c] of counts ?? []) {
    channels[channel] = { planned: c.planned, sent: c.sent, failed: c.failed, dead: c.dead + c.uncertain };
  }
  return channels;
}

/**
 * Live counts for dashboards: the gateway turns these events into a subscription. They are derived
 * and superseded by the next one, so they go straight to the bus (no outbox): a lost one is
 * corrected by the following change.
 */
export function createStatsEmitter(options: StatsEmitterOptions): StatsEmitter {
  const throttleMs = options.throttleMs ?? 500;
  const dirty = new Map<string, { eventType: string; comune: string }>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  let closed = false;

  const schedule = () => {
    timer = setTimeout(() => void run(), throttleMs);
    timer.unref();
  };

  async function publishPending(): Promise<void> {
    try {
      await publishBatch();
    } finally {
      // The interval runs from the end of this batch, not from its timer: counting may take a
      // while, and the next figures must not follow these closer than `throttleMs`.
      timer = undefined;
      if (dirty.size > 0 && !closed) schedule();
    }
  }

  async function publishBatch(): Promise<void> {
    if (dirty.size === 0) return;
    const batch = new Map(dirty);
    dirty.clear();
    const counts = await options.store.counts([...batch.keys()]);
    for (const [eventId, { eventType, comune }] of batch) {
      try {
        await options.bus.publish(
          createEvent('delivery.stats-changed', {
            comune,
            subject: eventId,
            actor: { kind: 'system', id: 'notifier' },
            data: { eventId, eventType, channels: statsPayload(counts.get(eventId)) },
          }),
        );
      } catch (error) {
        options.logger.warn({ err: error, eventId }, 'delivery stats not published');
      }
    }
  }

  function run(): Promise<void> {
    inFlight = inFlight.then(publishPending).catch((error: unknown) => {
      options.logger.warn({ err: error }, 'delivery stats not computed');
    });
    return inFlight;
  }

  return {
    changed(event) {
      dirty.set(event.eventId, { eventType: event.eventType, comune: event.comune });
      // While a batch is being published, `timer` still holds its (fired) timer: the batch's end
      // schedules the next one.
      if (timer === undefined && !closed) schedule();
    },
    flush() {
      clearTimeout(timer);
      return run();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await run();
    },
  };
}
