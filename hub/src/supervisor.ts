import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '@sportello/platform';

/** Options of {@link createSupervisor}. */
export interface SupervisorOptions {
  /** Working directory of the children. */
  cwd: string;
  /** Each line a child prints, prefixed with its name, and the supervisor's own lines. */
  progress: (line: string) => void;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** First wait before restarting a crashed child; doubles at each crash in a row. @default 1_000 */
  restartBaseMs?: number;
  /** Longest wait before a restart. @default 30_000 */
  restartMaxMs?: number;
  /** A child that ran this long before crashing starts over from the shortest wait. @default 60_000 */
  stableAfterMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL. @default 10_000 */
  killAfterMs?: number;
}

/** One supervised process; `child` and `pid` change when it is restarted. */
export interface SupervisedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Times it was restarted after a crash. */
  readonly restarts: number;
  /** Resolves once the process (its current incarnation) exits. */
  readonly exited: Promise<void>;
}

/** Starts processes and keeps them running until {@link Supervisor.stop}. */
export interface Supervisor {
  /**
   * Spawns `node <main>` with `env` (nothing else of the hub's environment but `system`). Until
   * {@link Supervisor.supervise} a crash is left to the caller (a start that fails says why);
   * afterwards the process is restarted after a growing pause, with a log line each time.
   */
  start(name: string, main: string, env: Record<string, string | undefined>): SupervisedProcess;
  /** From now on, crashed children are restarted. */
  supervise(): void;
  readonly processes: readonly SupervisedProcess[];
  /** Stops restarting, sends SIGTERM to every child and waits (SIGKILL after `killAfterMs`). */
  stop(): Promise<void>;
}

/**
 * The distributed hub's process supervisor: the launcher starts each service through it, then asks
 * it to supervise. A child that exits on its own (a crash, `kill -9`, an out-of-memory kill) is
 * logged and started again after 1 s, 2 s, 4 s... up to 30 s, back to 1 s once it has run a minute;
 * `stop` ends them all cleanly.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const baseMs = options.restartBaseMs ?? 1_000;
  const maxMs = options.restartMaxMs ?? 30_000;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const killAfterMs = options.killAfterMs ?? 10_000;
  const entries: Entry[] = [];
  let supervising = false;
  let stopping = false;

  interface Entry {
    name: string;
    main: string;
    env: Record<string, string | undefined>;
    child: ChildProcess;
    startedAt: number;
    restarts: number;
    /** Crashes in a row without a stable run in between. */
    streak: number;
    exited: Promise<void>;
    timer: NodeJS.Timeout | undefined;
  }

  function spawnChild(entry: Pick<Entry, 'name' | 'main' | 'env'>): {
    child: ChildProcess;
    exited: Promise<void>;
  } {
    const child = spawn(process.execPath, [entry.main], {
      cwd: options.cwd,
      env: entry.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Whole lines only: a line split across two reads is printed once, when its end arrives.
    const prefixed = (stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      const print = (line: string) => {
        if (line.trim()) options.progress(`[${entry.name}] ${line}`);
      };
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) print(line);
      });
      stream?.on('end', () => print(rest));
    };
    prefixed(child.stdout);
    prefixed(child.stderr);
    child.once('close', () => closedChildren.add(child));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, exited };
  }

  function watch(entry: Entry): void {
    const child = entry.child;
    child.once('exit', (code, signal) => {
      if (supervising && entry.child === child) crashed(entry, code, signal);
    });
  }

  /** Logs a child that exited on its own and starts it again after a pause. */
  function crashed(entry: Entry, code: number | null, signal: NodeJS.Signals | null): void {
    if (stopping || entry.timer !== undefined) return;
    const ranMs = Date.now() - entry.startedAt;
    entry.streak = ranMs >= stableAfterMs ? 1 : entry.streak + 1;
    const delayMs = Math.min(maxMs, baseMs * 2 ** (entry.streak - 1));
    const how = signal === null ? `code ${code}` : `signal ${signal}`;
    options.logger.error(
      { service: entry.name, code, signal, ranMs, restartInMs: delayMs, restarts: entry.restarts },
      'service process exited; restarting',
    );
    options.progress(
      `[hub] ${entry.name} exited (${how}) after ${Math.round(ranMs / 1000)} s; restarting in ${Math.round(delayMs / 1000)} s`,
    );
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (stopping) return;
      const { child, exited } = spawnChild(entry);
      entry.child = child;
      entry.exited = exited;
      entry.startedAt = Date.now();
      entry.restarts += 1;
      options.logger.info({ service: entry.name, pid: child.pid, restarts: entry.restarts }, 'restarted');
      options.progress(`[hub] ${entry.name} restarted (pid ${child.pid ?? '?'})`);
      watch(entry);
    }, delayMs);
  }

  function view(entry: Entry): SupervisedProcess {
    return {
      name: entry.name,
      get child() {
        return entry.child;
      },
      get pid() {
        return entry.child.pid ?? -1;
      },
      get restarts() {
        return entry.restarts;
      },
      get exited() {
        return entry.exited;
      },
    };
  }

  const processes: SupervisedProcess[] = [];
  return {
    processes,
    start(name, main, env) {
      const { child, exited } = spawnChild({ name, main, env });
      const entry: Entry = {
        name,
        main,
        env,
        child,
        exited,
        startedAt: Date.now(),
        restarts: 0,
        streak: 0,
        timer: undefined,
      };
      entries.push(entry);
      watch(entry);
      const supervised = view(entry);
      processes.push(supervised);
      return supervised;
    },
    supervise() {
      supervising = true;
      // A child that died between its start and now is restarted too.
      for (const entry of entries) {
        const { exitCode, signalCode } = entry.child;
        if (exitCode !== null || signalCode !== null) crashed(entry, exitCode, signalCode);
      }
    },
    async stop() {
      stopping = true;
      for (const entry of entries) clearTimeout(entry.timer);
      await Promise.all(entries.map((entry) => stopChild(entry.child, killAfterMs)));
    },
  };
}

/** Children whose output has been read to its end ('close' comes after their last line). */
const closedChildren = new WeakSet<ChildProcess>();
/** How long a stopped child's output may take to end after it exited (a descendant may hold it). */
const OUTPUT_END_MS = 2_000;

async function stopChild(child: ChildProcess, killAfterMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    if (closedChildren.has(child)) return resolve();
    child.once('close', () => resolve());
  });
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(timer);
  }
  // What it printed while stopping is read to the end before the stop is over ('exit' can come
  // before its last lines are read), within a bound.
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (bound = setTimeout(resolve, OUTPUT_END_MS)))]);
  clearTimeout(bound);
}
