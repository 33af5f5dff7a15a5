import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createForegroundGate } from './foreground-gate.js';
import { createInProcessBus } from './in-process-bus.js';
import { eventBusContract, makeEvent, waitFor } from './test-support/event-bus-contract.js';

eventBusContract('in-process', async () => {
  const opened: { close(): Promise<void> }[] = [];
  return {
    root: 'sportello',
    async open(logger) {
      const bus = createInProcessBus(logger ? { logger } : {});
      opened.push(bus);
      return bus;
    },
    async teardown() {
      await Promise.all(opened.map((bus) => bus.close()));
    },
  };
});

describe('in-process bus', () => {
  it('resolves publish only once every matching consumer has handled the event', async () => {
    const bus = createInProcessBus();
    const handled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await bus.consume({ name: 'slow', subjects: ['sportello.>'] }, async (event) => {
      await gate;
      handled.push(event.id);
    });
    await bus.consume(
      { name: 'fast', subjects: ['sportello.>'] },
      async (event) => void handled.push(event.id),
    );
    const event = makeEvent();

    let resolved = false;
    const publishing = bus.publish(event).then(() => (resolved = true));
    await waitFor(() => handled.length === 1, 'the fast consumer');
    expect(resolved).toBe(false);
    release();
    await publishing;
    expect(handled).toEqual([event.id, event.id]);
    await bus.close();
  });

  it('holds consumers back while foreground work is in progress; listeners hear the event at once', async () => {
    const foreground = createForegroundGate({ maxDeferMs: 60_000 });
    const bus = createInProcessBus({ foreground });
    const heard: string[] = [];
    const handled: { id: string; foregroundActive: number }[] = [];
    await bus.consume({ name: 'planner', subjects: ['sportello.001272.>'] }, async (event) => {
      handled.push({ id: event.id, foregroundActive: foreground.active });
    });
    await bus.listen(['sportello.>'], (event) => void heard.push(event.id));
    // The witness: an alert, published after the held event, that another consumer handles at once.
    const alerts: string[] = [];
    await bus.consume(
      { name: 'alerts', subjects: ['sportello.999999.>'] },
      async (event) => void alerts.push(event.id),
    );
    const request = foreground.begin();
    const event = makeEvent();

    let resolved = false;
    const publishing = bus.publish(event).then(() => (resolved = true));
    expect(heard).toEqual([event.id]);
    const alert = makeEvent('access.revoked', { comune: '999999', subject: 'app_1' });
    await bus.publish(alert);
    expect(alerts).toEqual([alert.id]);
    expect(handled).toEqual([]);
    expect(resolved).toBe(false);

    request();
    await publishing;
    expect(handled).toEqual([{ id: event.id, foregroundActive: 0 }]);
    // With nothing in the foreground, consumers run as events come.
    const next = makeEvent();
    await bus.publish(next);
    expect(handled.map((entry) => entry.id)).toEqual([event.id, next.id]);
    await bus.close();
  });

  it('lets a critical event (an alert) through while foreground work is in progress', async () => {
    const foreground = createForegroundGate({ maxDeferMs: 60_000 });
    const bus = createInProcessBus({ foreground });
    const handled: { type: string; foregroundActive: number }[] = [];
    await bus.consume({ name: 'planner', subjects: ['sportello.>'], lanes: true }, async (event) => {
      handled.push({ type: event.type, foregroundActive: foreground.active });
    });
    const request = foreground.begin();
    try {
      await bus.publish(makeEvent('access.revoked', { subject: 'app_1' }));
      expect(handled).toEqual([{ type: 'access.revoked', foregroundActive: 1 }]);
      // Anything else still waits for the request, even as a later alert goes past it.
      const waiting = bus.publish(makeEvent());
      await bus.publish(makeEvent('access.revoked', { subject: 'app_2' }));
      expect(handled.map((entry) => entry.type)).toEqual(['access.revoked', 'access.revoked']);
      request();
      await waiting;
      expect(handled.map((entry) => entry.type)).toEqual([
        'access.revoked',
        'access.revoked',
        'practice.submitted',
      ]);
    } finally {
      request();
      await bus.close();
    }
  });

  it("runs handlers in the consumer's async context, never the publisher's", async () => {
    // As over a real bus: a publisher's AsyncLocalStorage state (an ORM transaction, say) must not
    // reach a consumer of another service in the same process.
    const storage = new AsyncLocalStorage<string>();
    const bus = createInProcessBus();
    const seen: (string | undefined)[] = [];
    await storage.run('consumer', () =>
      bus.consume({ name: 'planner', subjects: ['sportello.>'] }, async () => {
        await Promise.resolve();
        seen.push(storage.getStore());
      }),
    );
    await storage.run('listener', () =>
      bus.listen(['sportello.>'], () => void seen.push(storage.getStore())),
    );
    await storage.run('publisher', () => bus.publish(makeEvent()));
    expect(seen.sort()).toEqual(['consumer', 'listener']);
    await bus.close();
  });

  it('does not replay events to consumers registered after they were published', async () => {
    const bus = createInProcessBus();
    await bus.publish(makeEvent());
    const seen: string[] = [];
    await bus.consume({ name: 'late', subjects: ['sportello.>'] }, async (event) => void seen.push(event.id));
    const later = makeEvent();
    await bus.publish(later);
    expect(seen).toEqual([later.id]);
    await bus.close();
  });

  it('held at start: what is published before the consumers register reaches them once opened', async () => {
    const bus = createInProcessBus({ held: true });
    const early = makeEvent();
    let published = false;
    const publishing = bus.publish(early).then(() => (published = true));
    const seen: string[] = [];
    await bus.consume({ name: 'starts-last', subjects: ['sportello.>'] }, async (event) => {
      seen.push(event.id);
    });
    // The witness: a broadcast sent after the event (broadcasts are not held) arrives; the event does not.
    const broadcasts: string[] = [];
    await bus.onBroadcast('witness', (data) => void broadcasts.push(new TextDecoder().decode(data)));
    bus.broadcast('witness', new TextEncoder().encode('after the event'));
    await waitFor(() => broadcasts.length === 1, 'the broadcast sent after the event');
    expect(published).toBe(false);
    expect(seen).toEqual([]);

    bus.open();
    await publishing;
    expect(seen).toEqual([early.id]);
    const later = makeEvent();
    await bus.publish(later);
    expect(seen).toEqual([early.id, later.id]);
    await bus.close();
  });

  it('held at start and closed before opening: the waiting publisher is told the bus is closed', async () => {
    const bus = createInProcessBus({ held: true });
    const publishing = bus.publish(makeEvent());
    await bus.close();
    await expect(publishing).rejects.toThrow('the event bus is closed');
  });

  it('rejects publish when a consumer stops before handling the event, and accepts the same id again', async () => {
    const bus = createInProcessBus();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    let started = 0;
    const consumer = await bus.consume({ name: 'stopping', subjects: ['sportello.>'] }, async (event) => {
      started++;
      await gate;
      seen.push(event.id);
    });
    const inProgress = makeEvent();
    const queued = makeEvent();
    const first = bus.publish(inProgress);
    const second = bus.publish(queued);
    second.catch(() => undefined);
    await waitFor(() => started === 1, 'the first handler to start');
    const stopping = consumer.stop();
    release();
    await stopping;

    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow(/stopped before handling/);
    await bus.consume(
      { name: 'stopping', subjects: ['sportello.>'] },
      async (event) => void seen.push(event.id),
    );
    await bus.publish(queued);
    expect(seen).toEqual([inProgress.id, queued.id]);
    await bus.close();
  });

  it('remembers a bounded number of event ids: the oldest are forgotten', async () => {
    const bus = createInProcessBus({ dedupe: { maxIds: 3 } });
    const seen: string[] = [];
    await bus.consume(
      { name: 'bounded', subjects: ['sportello.>'] },
      async (event) => void seen.push(event.id),
    );
    const events = Array.from({ length: 4 }, () => makeEvent());
    for (const event of events) await bus.publish(event);

    await bus.publish(events[0]!); // beyond the last 3 ids: delivered again
    await bus.publish(events[3]!); // still remembered: dropped
    expect(seen).toEqual([...events.map((event) => event.id), events[0]!.id]);
    await bus.close();
  });

  it('forgets event ids older than the window', async () => {
    let now = 1_000_000;
    const bus = createInProcessBus({ dedupe: { windowMs: 60_000, now: () => now } });
    const seen: string[] = [];
    await bus.consume(
      { name: 'windowed', subjects: ['sportello.>'] },
      async (event) => void seen.push(event.id),
    );
    const event = makeEvent();
    await bus.publish(event);
    now += 59_000;
    await bus.publish(event);
    now += 2_000;
    await bus.publish(event);
    expect(seen).toEqual([event.id, event.id]);
    await bus.close();
  });

  it('tells listeners of an announced event at once and once: its publish later reaches only the consumers', async () => {
    const bus = createInProcessBus();
    const heard: string[] = [];
    const handled: string[] = [];
    await bus.listen('sportello.>', (event) => void heard.push(event.id));
    await bus.consume({ name: 'planner', subjects: ['sportello.>'] }, async (event) => {
      handled.push(event.id);
    });
    const [first, second] = [makeEvent(), makeEvent()];
    bus.announce(first);
    bus.announce(first); // announced twice: heard once
    expect(heard).toEqual([first.id]);
    expect(handled).toEqual([]);
    await bus.publish(first);
    await bus.publish(second);
    expect(heard).toEqual([first.id, second.id]);
    expect(handled).toEqual([first.id, second.id]);
    // Already published: announcing it again tells nobody.
    bus.announce(second);
    expect(heard).toEqual([first.id, second.id]);
    await bus.close();
  });

  it('announces nothing while held at start: listeners hear those events when they are published', async () => {
    const bus = createInProcessBus({ held: true });
    const heard: string[] = [];
    await bus.listen('sportello.>', (event) => void heard.push(event.id));
    const event = makeEvent();
    bus.announce(event);
    expect(heard).toEqual([]);
    bus.open();
    await bus.publish(event);
    expect(heard).toEqual([event.id]);
    await bus.close();
  });

  it('refuses to work once closed', async () => {
    const bus = createInProcessBus();
    await bus.close();
    await expect(bus.publish(makeEvent())).rejects.toThrow(/closed/);
  });
});
