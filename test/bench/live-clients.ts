/**
 * What the benchmarks that follow the live layer share: the subscribers, run in a worker thread
 * (`live-subscribers.ts`) and driven from the main thread, and the practice form citizens submit
 * while they listen.
 */
import { Worker } from 'node:worker_threads';
import type { LiveSubscribersInput, LiveSubscribersMessage } from './live-subscribers.js';

/** A form of the bulky-waste collection type (practices office, no attachments required). */
export const BULKY_WASTE = {
  typeCode: 'bulky-waste-collection',
  data: {
    pickupAddress: { street: 'Via Roma', number: '12', postcode: '12100' },
    items: [{ kind: 'mattress' }],
    phone: '+39 0171 123456',
  },
};

/** Everything the subscribers saw, once settled. */
export type LiveSubscribersDone = Extract<LiveSubscribersMessage, { kind: 'done' }>;

/** The subscribers, every subscription open. */
export interface LiveSubscribers {
  /**
   * Waits until every staff subscriber has `staffUpdates` updates and every anonymous one
   * `alertUpdates`, or until nothing more arrived for `quietMs`, then closes the subscriptions.
   * @throws when the worker failed.
   */
  settle(until: {
    staffUpdates: number;
    alertUpdates: number;
    quietMs: number;
  }): Promise<LiveSubscribersDone>;
  /** Stops the worker thread. */
  terminate(): Promise<void>;
}

/**
 * Starts the subscribers in a worker thread (a client's own event loop, apart from the load) and
 * returns once every subscription is open.
 * @throws when the worker fails before that (it is stopped).
 */
export async function openLiveSubscribers(input: LiveSubscribersInput): Promise<LiveSubscribers> {
  const worker = new Worker(new URL('./live-subscribers.js', import.meta.url), { workerData: input });
  const messages: LiveSubscribersMessage[] = [];
  let wake: () => void = () => undefined;
  worker.on('message', (message: LiveSubscribersMessage) => {
    messages.push(message);
    wake();
  });
  worker.on('error', (error) => {
    messages.push({ kind: 'failed', error: String(error) });
    wake();
  });
  const next = async <Kind extends 'connected' | 'done'>(
    kind: Kind,
  ): Promise<Extract<LiveSubscribersMessage, { kind: Kind }>> => {
    for (;;) {
      const failed = messages.find((m) => m.kind === 'failed');
      if (failed?.kind === 'failed') throw new Error(`the subscribers failed: ${failed.error}`);
      const found = messages.find((m) => m.kind === kind);
      if (found) return found as Extract<LiveSubscribersMessage, { kind: Kind }>;
      await new Promise<void>((done) => (wake = done));
    }
  };
  try {
    await next('connected');
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    async settle(until) {
      worker.postMessage({ kind: 'settle', ...until });
      return next('done');
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
