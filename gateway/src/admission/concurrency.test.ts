import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConcurrencyLimit, type OperationClass, type Release } from './concurrency.js';
import { isRefusal } from './refusal.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Acquires and records the order in which turns are granted. */
function recorder(limit: ReturnType<typeof createConcurrencyLimit>) {
  const granted: string[] = [];
  const releases = new Map<string, Release>();
  const ask = (name: string, kind: OperationClass) =>
    limit.acquire(kind).then((turn) => {
      if (isRefusal(turn)) return turn;
      granted.push(name);
      releases.set(name, turn);
      return undefined;
    });
  return { granted, releases, ask };
}

describe('concurrency limit', () => {
  it('runs at most maxConcurrent at once and serves staff, then queries, then mutations, each in arrival order', async () => {
    const limit = createConcurrencyLimit({ maxConcurrent: 2, maxQueued: 10, maxWaitMs: 60_000 });
    const { granted, releases, ask } = recorder(limit);
    const asks = [
      ask('q1', 'query'),
      ask('q2', 'query'),
      ask('m1', 'mutation'),
      ask('m2', 'mutation'),
      ask('q3', 'query'),
      ask('q4', 'query'),
      ask('s1', 'staff'),
    ];
    await vi.waitFor(() => expect(granted).toEqual(['q1', 'q2']));
    expect(limit.stats).toEqual({ running: 2, queued: 5 });

    releases.get('q1')!();
    releases.get('q1')!(); // a second release of the same turn changes nothing
    await vi.waitFor(() => expect(granted).toEqual(['q1', 'q2', 's1']));
    expect(limit.stats).toEqual({ running: 2, queued: 4 });

    releases.get('q2')!();
    await vi.waitFor(() => expect(granted).toEqual(['q1', 'q2', 's1', 'q3']));
    releases.get('s1')!();
    await vi.waitFor(() => expect(granted).toEqual(['q1', 'q2', 's1', 'q3', 'q4']));
    releases.get('q3')!();
    await vi.waitFor(() => expect(granted).toEqual(['q1', 'q2', 's1', 'q3', 'q4', 'm1']));
    releases.get('q4')!();
    await Promise.all(asks);
    expect(granted).toEqual(['q1', 'q2', 's1', 'q3', 'q4', 'm1', 'm2']);
  });

  it('refuses at once with OVERLOADED when maxQueued are already waiting, and nothing ran', async () => {
    const limit = createConcurrencyLimit({ maxConcurrent: 1, maxQueued: 1, maxWaitMs: 60_000 });
    const first = await limit.acquire('mutation');
    expect(isRefusal(first)).toBe(false);
    const waiting = limit.acquire('mutation');
    const refused = await limit.acquire('query');
    expect(refused).toMatchObject({
      status: 503,
      error: { extensions: { code: 'OVERLOADED' } },
      headers: { 'retry-after': '1' },
      reason: 'overloaded',
    });
    expect(isRefusal(refused) && refused.error.message).toMatch(/1 operations are already waiting/);
    (first as Release)();
    expect(isRefusal(await waiting)).toBe(false);
    expect(limit.stats).toEqual({ running: 1, queued: 0 });
  });

  it('refuses an operation that waited maxWaitMs without a turn, and gives the next turn to the one after it', async () => {
    vi.useFakeTimers();
    const limit = createConcurrencyLimit({ maxConcurrent: 1, maxQueued: 10, maxWaitMs: 5_000 });
    const holder = (await limit.acquire('query')) as Release;
    const late = limit.acquire('mutation');
    await vi.advanceTimersByTimeAsync(3_000);
    const later = limit.acquire('mutation');
    await vi.advanceTimersByTimeAsync(2_000);
    const refusal = await late;
    expect(isRefusal(refusal) && refusal.error.message).toMatch(/no turn came within 5000 ms/);
    expect(limit.stats).toEqual({ running: 1, queued: 1 });
    holder();
    expect(isRefusal(await later)).toBe(false);
    expect(limit.stats).toEqual({ running: 1, queued: 0 });
  });
});
