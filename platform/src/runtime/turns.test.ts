import { describe, expect, it } from 'vitest';
import { inForeground, nextTurn } from './turns.js';

describe('turns on the event loop', () => {
  it('lets foreground work go every turn, and background work one step per turn in all', async () => {
    let backgroundSteps = 0;
    let stop = false;
    // 50 background workers (consumers, dispatchers...), each wanting to run many statements.
    const workers = Array.from({ length: 50 }, async () => {
      while (!stop) {
        await nextTurn();
        backgroundSteps += 1;
      }
    });
    await new Promise((resolve) => setImmediate(resolve));

    const before = backgroundSteps;
    await inForeground(async () => {
      for (let step = 0; step < 10; step += 1) await nextTurn();
    });
    const during = backgroundSteps - before;
    stop = true;
    await Promise.all(workers);

    // Ten foreground steps took about ten turns: the background made about as many steps, not ten
    // for each of its 50 workers.
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThan(50);
  });

  it('serves background work in arrival order', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => nextTurn().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
