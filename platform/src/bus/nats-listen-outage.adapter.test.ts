import { describe, expect, it, vi } from 'vitest';
import { type EventBus } from './event-bus.js';
import { createNatsBus } from './nats-bus.js';
import { makeEvent } from './test-support/event-bus-contract.js';
import { startPrivateNatsServer } from '@sportello/test-support';

/**
 * Publishes, retrying while the server is away (the outbox relay does the same): `vi.waitFor` calls
 * again once an attempt has failed, until the server takes the event.
 */
async function publishSurely(bus: EventBus, event: ReturnType<typeof makeEvent>): Promise<void> {
  await vi.waitFor(() => bus.publish(event), { timeout: 30_000, interval: 50 });
}

describe('a live listener across a NATS restart', () => {
  it('resumes within two seconds of the server coming back, and hears everything published meanwhile, in order', async () => {
    const server = await startPrivateNatsServer();
    const open = () =>
      createNatsBus({
        servers: server.url,
        stream: 'OUTAGE',
        subjectRoot: 'outage',
        connectionName: 'outage',
      });
    const [listening, publishing] = [await open(), await open()];
    try {
      const heard: Array<{ id: string; at: number }> = [];
      await listening.listen('outage.>', (event) => heard.push({ id: event.id, at: Date.now() }));

      const before = Array.from({ length: 20 }, (_, i) =>
        makeEvent('practice.submitted', { subject: `B${i}` }),
      );
      for (const event of before) await publishSurely(publishing, event);
      await expect.poll(() => heard.length, { timeout: 10_000 }).toBe(20);

      // The server dies and comes back on the same storage, as a restart does.
      await server.stop();
      server.start();
      const during = Array.from({ length: 20 }, (_, i) =>
        makeEvent('practice.submitted', { subject: `D${i}` }),
      );
      // The first event after the restart is stored the moment the server takes it: measure from there.
      await publishSurely(publishing, during[0]!);
      const backAt = Date.now();
      for (const event of during.slice(1)) await publishSurely(publishing, event);

      await expect.poll(() => heard.length, { timeout: 30_000 }).toBe(40);
      expect(heard.map((entry) => entry.id)).toEqual([...before, ...during].map((event) => event.id));
      const resumedAfter = heard[20]!.at - backAt;
      expect(resumedAfter).toBeLessThan(2_000);
    } finally {
      await listening.close().catch(() => undefined);
      await publishing.close().catch(() => undefined);
      await server.dispose();
    }
  }, 60_000);
});
