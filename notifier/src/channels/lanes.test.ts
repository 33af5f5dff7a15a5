import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../pacing/rate-limiter.js';
import type { OutgoingMessage } from './channel.js';
import { createLaneLimiter, createLaneSlots, laneKey, parseLaneKey, withLane } from './lanes.js';

describe('lane slots', () => {
  it('keeps reserved slots for alerts and hands a freed slot to an alert before earlier reminders', async () => {
    const slots = createLaneSlots({ shared: 1, reserved: 1 });
    const reminder = await slots.acquire('bulk');
    const order: string[] = [];
    const waitingReminder = slots.acquire('bulk').then((slot) => (order.push('reminder'), slot));
    const practice = slots.acquire('interactive').then((slot) => (order.push('practice'), slot));
    // The reserved slot: an alert never waits for the reminders.
    const firstAlert = await slots.acquire('critical');
    expect(firstAlert.reserved).toBe(true);
    const secondAlert = slots.acquire('critical').then((slot) => (order.push('alert'), slot));
    expect(slots.waiting).toBe(3);

    reminder.release();
    const shared = await secondAlert;
    expect(shared.reserved).toBe(false);
    shared.release();
    (await practice).release();
    (await waitingReminder).release();
    expect(order).toEqual(['alert', 'practice', 'reminder']);
    firstAlert.release();
    firstAlert.release();
    expect(slots.waiting).toBe(0);
  });

  it('gives up waiting when the caller aborts', async () => {
    const slots = createLaneSlots({ shared: 1 });
    const held = await slots.acquire('bulk');
    const controller = new AbortController();
    const waiting = slots.acquire('bulk', controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(slots.waiting).toBe(0);
    held.release();
    (await slots.acquire('bulk')).release();
  });
});

describe('lane limiter', () => {
  it("gives the next slot of the provider's rate to an alert before the reminders queued earlier", async () => {
    const limiter = createLaneLimiter(createRateLimiter({ perKey: { ratePerSecond: 50 } }));
    const order: string[] = [];
    const reminders = Array.from({ length: 5 }, (_, i) =>
      limiter.acquire(laneKey('bulk', '001272')).then(() => order.push(`reminder ${i}`)),
    );
    const alert = limiter.acquire(laneKey('critical', '001272')).then(() => order.push('alert'));
    // Another comune has a quota of its own.
    const other = limiter.acquire(laneKey('bulk', '015146')).then(() => order.push('other comune'));
    await Promise.all([...reminders, alert, other]);
    expect(order.indexOf('alert')).toBeLessThanOrEqual(2);
    expect(order.indexOf('other comune')).toBeLessThanOrEqual(2);
    expect(limiter.trackedKeys).toBeGreaterThan(0);
  });

  it('reads the lane and the inner key back, and treats a plain key as interactive', () => {
    expect(parseLaneKey(laneKey('critical'))).toEqual({ lane: 'critical', key: undefined });
    expect(parseLaneKey(laneKey('bulk', '001272'))).toEqual({ lane: 'bulk', key: '001272' });
    expect(parseLaneKey('001272')).toEqual({ lane: 'interactive', key: '001272' });
    expect(parseLaneKey(undefined)).toEqual({ lane: 'interactive', key: undefined });
  });
});

describe('withLane', () => {
  it("gives a rendered message its delivery's lane", async () => {
    const render = withLane(async () => ({ deliveryId: 'd-1' }) as OutgoingMessage);
    expect((await render({ priority: 2100 })).lane).toBe('critical');
    expect((await render({ priority: 1500 })).lane).toBe('interactive');
    expect((await render({ priority: 10 })).lane).toBe('bulk');
  });
});
