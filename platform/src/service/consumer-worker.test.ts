import { describe, expect, it } from 'vitest';
import type { Consumer } from '../bus/event-bus.js';
import { consumerWorker } from './consumer-worker.js';

describe('consumerWorker', () => {
  it('starts its consumer once however often the service starts, and stops it with the service', async () => {
    const started: string[] = [];
    const worker = consumerWorker(async (): Promise<Consumer> => {
      started.push('consumer');
      return {
        stop: async () => {
          started.push('stopped');
        },
      };
    });
    await worker.start?.();
    await worker.start?.();
    await worker.stop?.();
    expect(started).toEqual(['consumer', 'stopped']);
  });

  it('has nothing to stop when it never started', async () => {
    const worker = consumerWorker(() => Promise.reject(new Error('not started')));
    await expect(Promise.resolve(worker.stop?.())).resolves.toBeUndefined();
  });
});
