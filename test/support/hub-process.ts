import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the first folder up from here with `turbo.json` (from the sources or `test/dist`). */
function repositoryRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'turbo.json'))) {
    const parent = dirname(folder);
    if (parent === folder)
      throw new Error('test/support: the repository (turbo.json) is not above this file');
    folder = parent;
  }
  return folder;
}

const ROOT = repositoryRoot();

/** A hub started as a user starts it: the built entry point in its own process. */
export interface HubProcess {
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the output once `marker` appears; rejects if the process exits first. */
  waitFor(marker: string | RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  child: ChildProcess;
}

/**
 * Starts `hub/dist/<entry>.js` (built by `npm test`'s build step) with the given environment on
 * the same Node that runs the tests (Node 24 through the `node` dev dependency).
 */
export function startHubProcess(entry: 'embedded' | 'distributed', env: Record<string, string>): HubProcess {
  const child = spawn(process.execPath, [`hub/dist/${entry}.js`], {
    cwd: ROOT,
    // Tests sign people in through the development login (`login_hint`, the sign-in step page) unless they
    // ask for the demo SPID-like upstream the demo hub starts by default.
    env: { ...process.env, LOG_LEVEL: 'warn', DEMO_UPSTREAM: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    waitFor(marker, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const matches = () => (typeof marker === 'string' ? output.includes(marker) : marker.test(output));
        const check = () => {
          if (matches()) {
            done();
            resolve(output);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`hub did not print ${String(marker)} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          done();
          reject(new Error(`hub exited with ${code} before printing ${String(marker)}:\n${output}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
