import { describe, expect, it } from 'vitest';
import { AttemptThrottle, ThrottledError } from './throttle.js';

const client = (maxFailures: number) => ({ key: 'client:a', maxFailures });
const fail = (throttle: AttemptThrottle, keys = [client(3)]) =>
  throttle.attempt(keys, async (failed) => failed());

describe('AttemptThrottle', () => {
  it('refuses a key past its failures until the window ends, and says how long to wait', async () => {
    let now = 1_000_000;
    const throttle = new AttemptThrottle({ windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i += 1) await fail(throttle);
    now += 15_000;
    const refused = await fail(throttle).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ThrottledError);
    expect((refused as ThrottledError).retryAfterSeconds).toBe(45);
    // Successes of another key are not held back.
    await expect(throttle.attempt([{ key: 'client:b', maxFailures: 3 }], async () => 'ok')).resolves.toBe(
      'ok',
    );
    now += 45_000;
    await expect(throttle.attempt([client(3)], async () => 'ok')).resolves.toBe('ok');
  });

  it('does not count successes', async () => {
    const throttle = new AttemptThrottle({ windowMs: 60_000 });
    for (let i = 0; i < 100; i += 1) await throttle.attempt([client(3)], async () => i);
    expect(throttle.size).toBe(0);
  });

  it('refuses an attempt when any of its keys is over its limit', async () => {
    const throttle = new AttemptThrottle({ windowMs: 60_000 });
    const address = { key: 'address:10.0.0.1', maxFailures: 2 };
    await fail(throttle, [{ key: 'client:x', maxFailures: 10 }, address]);
    await fail(throttle, [{ key: 'client:y', maxFailures: 10 }, address]);
    await expect(
      throttle.attempt([{ key: 'client:z', maxFailures: 10 }, address], async () => 'ok'),
    ).rejects.toBeInstanceOf(ThrottledError);
  });

  it('counts a burst of failures as they happen: those past the limit never run', async () => {
    const throttle = new AttemptThrottle({ windowMs: 60_000, maxConcurrent: 4 });
    let ran = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        throttle.attempt([client(10)], async (failed) => {
          ran += 1;
          await Promise.resolve();
          failed();
        }),
      ),
    );
    expect(ran).toBeLessThanOrEqual(10 + 4);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected').length).toBe(40 - ran);
  });

  it('refuses attempts beyond those allowed to wait', async () => {
    const throttle = new AttemptThrottle({ windowMs: 60_000, maxConcurrent: 1, maxWaiting: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = throttle.attempt([client(100)], () => gate);
    const waiting = [1, 2].map(() => throttle.attempt([client(100)], async () => 'ok'));
    await expect(throttle.attempt([client(100)], async () => 'ok')).rejects.toBeInstanceOf(ThrottledError);
    release();
    await running;
    await expect(Promise.all(waiting)).resolves.toEqual(['ok', 'ok']);
    expect(throttle.size).toBe(0);
  });

  it('remembers a bounded number of keys, forgetting the oldest windows first', async () => {
    const throttle = new AttemptThrottle({ windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 1_000; i += 1) {
      await fail(throttle, [{ key: `address:${i}`, maxFailures: 1 }]);
      expect(throttle.size).toBeLessThanOrEqual(100);
    }
    // The newest are still refused.
    await expect(fail(throttle, [{ key: 'address:999', maxFailures: 1 }])).rejects.toBeInstanceOf(
      ThrottledError,
    );
  });
});
