import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';
import { backoffDelay } from './backoff.js';

describe('rate limiter', () => {
  it('spaces acquisitions at the global rate after the burst', async () => {
    const limiter = createRateLimiter({ global: { ratePerSecond: 50, burst: 5 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 25 }, () => limiter.acquire()));
    const elapsed = performance.now() - started;
    // 20 calls beyond the burst at 20 ms each.
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(2000);
  });

  it('limits each key on its own and every key under the global limit', async () => {
    const limiter = createRateLimiter({ global: { ratePerSecond: 1000 }, perKey: { ratePerSecond: 10 } });
    const passed: Record<string, number[]> = { a: [], b: [] };
    const started = performance.now();
    await Promise.all(
      ['a', 'a', 'a', 'b', 'b', 'b'].map(async (key) => {
        await limiter.acquire(key);
        passed[key]!.push(performance.now() - started);
      }),
    );
    for (const times of Object.values(passed)) {
      expect(times).toHaveLength(3);
      expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(195);
    }
    // Keys do not queue behind each other: b starts before a's second turn.
    expect(passed.b![0]!).toBeLessThan(passed.a![1]!);
  });

  it('remembers a bounded number of keys', async () => {
    const limiter = createRateLimiter({ perKey: { ratePerSecond: 1 }, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await limiter.acquire(`chat-${i}`);
    expect(limiter.trackedKeys).toBeLessThanOrEqual(100);
    // A forgotten key starts fresh; a remembered one is still limited.
    const started = performance.now();
    await limiter.acquire('chat-999');
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('holds off after a provider asks to wait', async () => {
    const limiter = createRateLimiter({ global: { ratePerSecond: 1000 } });
    limiter.holdOff(150);
    const started = performance.now();
    await limiter.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('stops waiting when aborted', async () => {
    const limiter = createRateLimiter({ global: { ratePerSecond: 1 } });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(undefined, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });

  it('rejects nonsense rates', () => {
    expect(() => createRateLimiter({ global: { ratePerSecond: 0 } })).toThrow(/ratePerSecond/);
    expect(() => createRateLimiter({ perKey: { ratePerSecond: 1, burst: 0 } })).toThrow(/burst/);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with full jitter and stays under the cap', () => {
    const top = (attempt: number) =>
      backoffDelay(attempt, { baseMs: 100, maxMs: 5000, random: () => 0.999999 });
    expect(top(1)).toBe(99);
    expect(top(2)).toBe(199);
    expect(top(4)).toBe(799);
    expect(top(30)).toBe(4999);
    expect(backoffDelay(3, { baseMs: 100, random: () => 0 })).toBe(0);
  });

  it('never waits less than the provider asked', () => {
    expect(backoffDelay(1, { baseMs: 100, random: () => 0.5 }, 3000)).toBe(3000);
    expect(backoffDelay(10, { baseMs: 1000, maxMs: 60_000, random: () => 0.9 }, 3000)).toBe(54_000);
  });

  it('rejects an attempt number below 1', () => {
    expect(() => backoffDelay(0)).toThrow(/attempt/);
  });
});
