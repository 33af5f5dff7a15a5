import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@sportello/platform';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSupervisor, type Supervisor } from './supervisor.js';

/**
 * A service that prints `up <pid>` and runs until it is told to stop. It listens for SIGTERM before
 * it says it is up: a SIGTERM that came between the two (a loaded machine can pause it right after
 * the write) would end it by the signal instead of the handler.
 */
const SERVICE = `
const keep = setInterval(() => {}, 60_000);
process.once('SIGTERM', () => { clearInterval(keep); process.stdout.write('stopping\\n'); process.exit(0); });
process.stdout.write('up ' + process.pid + '\\n');
`;

let dir: string;
let supervisor: Supervisor | undefined;
const lines: string[] = [];
const logged: Array<{ msg: string; service?: string; restartInMs?: number }> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sportello-supervisor-'));
  await writeFile(join(dir, 'service.mjs'), SERVICE);
  await writeFile(join(dir, 'crashing.mjs'), `process.stdout.write('crashing\\n'); process.exit(3);`);
  lines.length = 0;
  logged.length = 0;
});

afterEach(async () => {
  vi.useRealTimers();
  await supervisor?.stop();
  supervisor = undefined;
  await rm(dir, { recursive: true, force: true });
});

function supervise(): Supervisor {
  supervisor = createSupervisor({
    cwd: dir,
    progress: (line) => lines.push(line),
    logger: createLogger({
      name: 'hub',
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(JSON.parse(chunk.toString('utf8')) as (typeof logged)[number]);
          done();
        },
      }),
    }),
    restartBaseMs: 50,
    restartMaxMs: 400,
  });
  return supervisor;
}

describe('the distributed hub supervisor', () => {
  it('restarts a service killed with SIGKILL, saying so, and stops every service cleanly', async () => {
    const hub = supervise();
    const notifier = hub.start('notifier', 'service.mjs', { PATH: process.env['PATH'] });
    const practices = hub.start('practices', 'service.mjs', { PATH: process.env['PATH'] });
    await expect.poll(() => lines.filter((line) => line.includes('] up ')).length).toBe(2);
    hub.supervise();
    const firstPid = notifier.pid;

    notifier.child.kill('SIGKILL');

    await expect.poll(() => notifier.restarts, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => lines.some((line) => line === `[notifier] up ${notifier.pid}`)).toBe(true);
    expect(notifier.pid).not.toBe(firstPid);
    expect(lines).toContainEqual(expect.stringMatching(/^\[hub\] notifier exited \(signal SIGKILL\)/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[hub\] notifier restarted \(pid \d+\)/));
    expect(practices.restarts).toBe(0);

    await hub.stop();
    expect(notifier.child.exitCode).toBe(0);
    expect(practices.child.exitCode).toBe(0);
    expect(lines.filter((line) => line.endsWith('] stopping'))).toHaveLength(2);
    // Stopped on purpose: nothing is restarted.
    expect(notifier.restarts).toBe(1);
  });

  it('backs off a service that keeps crashing, doubling the pause up to the bound', async () => {
    // The pauses run on the test's clock: it lets each one pass, and can see none is left after stop.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hub = supervise();
    const crashing = hub.start('tributi', 'crashing.mjs', { PATH: process.env['PATH'] });
    hub.supervise();
    const pauses = () =>
      logged
        .filter((entry) => entry.msg === 'service process exited; restarting')
        .map((entry) => entry.restartInMs);

    for (let crash = 1; crash <= 4; crash += 1) {
      // Once it exited, the supervisor has logged the crash and set the pause (expect.poll would
      // move the fake clock on).
      await crashing.exited;
      expect(pauses()).toHaveLength(crash);
      expect(crashing.restarts).toBe(crash - 1);
      vi.advanceTimersByTime(pauses().at(-1)!);
      expect(crashing.restarts).toBe(crash);
    }
    await crashing.exited;
    expect(pauses()).toEqual([50, 100, 200, 400, 400]);
    expect(lines).toContainEqual(expect.stringMatching(/^\[hub\] tributi exited \(code 3\)/));

    // Stopped during a pause: the restart it was waiting for never comes, however long one waits.
    await hub.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(crashing.restarts).toBe(4);
  });
});
