import { type Consumer, type EventBus } from '@sportello/platform';
import { type EventEnvelope } from '@sportello/schema';

type Handler = (event: EventEnvelope) => void;

interface Shared {
  handlers: Set<Handler>;
  consumer: Promise<Consumer>;
}

/**
 * One bus listener per distinct set of subject patterns, however many subscriptions use it: the
 * bus sees as many listeners as there are different subscriptions, not subscribers.
 */
export class SharedListeners {
  private readonly listeners = new Map<string, Shared>();

  constructor(private readonly bus: EventBus) {}

  /** Adds a handler for `subjects`; the returned function removes it (and the listener with the last one). */
  async add(subjects: readonly string[], handler: Handler): Promise<() => Promise<void>> {
    const key = [...new Set(subjects)].sort().join(' ');
    let shared = this.listeners.get(key);
    if (!shared) {
      const handlers = new Set<Handler>();
      const consumer = this.bus.listen([...new Set(subjects)], (event) => {
        for (const each of handlers) each(event);
      });
      shared = { handlers, consumer };
      this.listeners.set(key, shared);
      consumer.catch(() => this.listeners.delete(key));
    }
    shared.handlers.add(handler);
    await shared.consumer;
    const entry = shared;
    return async () => {
      entry.handlers.delete(handler);
      if (entry.handlers.size === 0 && this.listeners.get(key) === entry) {
        this.listeners.delete(key);
        await (await entry.consumer).stop();
      }
    };
  }

  /** Bus listeners currently open. */
  get size(): number {
    return this.listeners.size;
  }
}
