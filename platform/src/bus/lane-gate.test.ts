import { afterEach, describe, expect, it, vi } from 'vitest';
import { LaneGate } from './lane-gate.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Whether the promise settled by now (after pending microtasks). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('lane gate', () => {
  it('holds a bulk event while critical or interactive work is in hand, and lets it go when that ends', async () => {
    vi.useFakeTimers();
    const gate = new LaneGate(1_000);
    const critical = gate.begin('critical');
    const interactive = gate.begin('interactive');

    const bulk = gate.whenHigherIdle('bulk');
    const second = gate.whenHigherIdle('interactive');
    expect(await settled(bulk)).toBe(false);
    expect(await settled(second)).toBe(false);

    critical();
    expect(await settled(second)).toBe(true);
    expect(await settled(bulk)).toBe(false);
    interactive();
    expect(await settled(bulk)).toBe(true);
    // Critical work never waits.
    gate.begin('bulk');
    expect(await settled(gate.whenHigherIdle('critical'))).toBe(true);
  });

  it('waits at most maxWaitMs, so a lower lane is never starved', async () => {
    vi.useFakeTimers();
    const gate = new LaneGate(1_000);
    gate.begin('critical');
    const bulk = gate.whenHigherIdle('bulk');
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(bulk)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(bulk)).toBe(true);
  });

  it('counts each piece of work once, however often it is ended', async () => {
    vi.useFakeTimers();
    const gate = new LaneGate(1_000);
    const first = gate.begin('critical');
    gate.begin('critical');
    first();
    first();
    expect(await settled(gate.whenHigherIdle('bulk'))).toBe(false);
  });
});
