import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createForegroundGate } from './foreground-gate.js';

// The gate's deadline runs on the test's clock: a wait ends only when the test ends foreground work
// or moves the clock on, so a wait still pending below is one that nothing would have ended yet.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether a promise has settled, once what the test already did has had its effect. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('foreground gate', () => {
  it('lets background work start at once when nothing is in the foreground', async () => {
    const gate = createForegroundGate();
    expect(gate.active).toBe(0);
    expect(await settled(gate.whenIdle())).toBe(true);
  });

  it('holds background work until the last foreground work ends', async () => {
    const gate = createForegroundGate({ maxDeferMs: 60_000 });
    const request = gate.begin();
    const update = gate.begin();
    expect(gate.active).toBe(2);
    const first = gate.whenIdle();
    const second = gate.whenIdle();

    request();
    request(); // ending twice counts once
    expect(gate.active).toBe(1);
    vi.advanceTimersByTime(59_999);
    expect(await settled(first)).toBe(false);

    update();
    expect(gate.active).toBe(0);
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
    expect(gate.stats).toMatchObject({ deferred: 2, forced: 0 });
    // Nothing in the foreground: not counted as a wait.
    await gate.whenIdle();
    expect(gate.stats.deferred).toBe(2);
  });

  it('lets background work run freely for freeMs only, when told a shorter window', async () => {
    let clock = 1_000;
    const gate = createForegroundGate({ maxDeferMs: 20, freeMs: 2, now: () => clock });
    const endless = gate.begin();
    const forced = gate.whenIdle();
    vi.advanceTimersByTime(20);
    await forced;
    expect(gate.stats).toMatchObject({ deferred: 1, forced: 1 });
    clock += 1;
    expect(await settled(gate.whenIdle())).toBe(true);
    // Past the short window it waits again, though maxDeferMs has not passed since.
    clock += 2;
    const later = gate.whenIdle();
    vi.advanceTimersByTime(19);
    expect(await settled(later)).toBe(false);
    endless();
    expect(await settled(later)).toBe(true);
  });

  it('bounds the wait: after maxDeferMs background work runs freely for as long again', async () => {
    let clock = 1_000;
    const gate = createForegroundGate({ maxDeferMs: 20, now: () => clock });
    const endless = gate.begin();

    // Foreground work that never ends does not starve the background: it waits maxDeferMs, no less.
    const first = gate.whenIdle();
    vi.advanceTimersByTime(19);
    expect(await settled(first)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(first)).toBe(true);
    expect(gate.active).toBe(1);
    expect(gate.stats).toMatchObject({ deferred: 1, forced: 1 });
    // Within the free window that follows, background work does not wait.
    clock += 19;
    expect(await settled(gate.whenIdle())).toBe(true);
    // After it, it waits again.
    clock += 2;
    const later = gate.whenIdle();
    vi.advanceTimersByTime(19);
    expect(await settled(later)).toBe(false);
    clock += 5; // on the test's clock, the later wait lasts 5 ms (the first one none)
    endless();
    expect(await settled(later)).toBe(true);
    expect(gate.stats).toMatchObject({ deferred: 2, forced: 1 });
    expect(gate.stats.deferredSeconds).toBeCloseTo(0.005, 6);
  });
});
