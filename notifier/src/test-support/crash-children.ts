import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The children a test started and what they printed (warnings and errors), for failure messages. */
export interface CrashChildren {
  children: ChildProcess[];
  output: string[];
}

/**
 * Starts the notifier as a real child process (tsx, workspace sources) with `settings` (see
 * crash-child.ts), recorded in `into`. `ready` resolves with the time it said it was ready, and
 * rejects when it exits first.
 */
export function startCrashChild(
  settings: Record<string, unknown>,
  into: CrashChildren,
): { child: ChildProcess; ready: Promise<number> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', CHILD, JSON.stringify(settings)],
    {
      cwd: ROOT,
      // The sources (platform's too) use TypeScript's legacy decorators: the base config says so for all.
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  into.children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => into.output.push(chunk.toString()));
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(Date.now());
    });
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}):\n${stderr}`)));
  });
  return { child, ready };
}

/** Kills a child with SIGKILL and resolves once it has exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
