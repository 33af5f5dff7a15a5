/**
 * The parts under test run in child processes of their own (one per gateway, one for the services),
 * so that neither shares an event loop with the load generator or with each other. Children speak
 * to the benchmark over Node's IPC channel: they send `{ kind: 'ready', ... }` once listening and
 * answer requests `{ id, ... }` with `{ id, reply }`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** A running child. */
export interface BenchChild<Ready> {
  /** What the child sent with `ready`. */
  readonly ready: Ready;
  readonly process: ChildProcess;
  /** Sends a request and resolves with the child's reply. */
  ask<Reply>(request: Record<string, unknown>, timeoutMs?: number): Promise<Reply>;
  /** Everything the child printed (for failures). */
  output(): string;
  /** Asks the child to stop (SIGTERM), then kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Messages children send. */
export type ChildMessage =
  | { kind: 'ready'; [key: string]: unknown }
  | { kind: 'failed'; message: string }
  | { kind: 'reply'; id: number; reply: unknown };

/**
 * Forks the compiled module `entry` (a `file:` URL) with `args`, and waits for its `ready`.
 * @throws {Error} with the child's output when it fails or exits before it is ready.
 */
export async function startChild<Ready>(
  entry: URL,
  args: readonly string[],
  options: { env?: Record<string, string>; readyTimeoutMs?: number; execArgv?: string[] } = {},
): Promise<BenchChild<Ready>> {
  const child = fork(entry, [...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: options.execArgv ?? [],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let nextId = 1;
  const pending = new Map<number, (reply: unknown) => void>();
  const exited = once(child, 'exit');

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry.pathname} was not ready in time:\n${output}`));
    }, options.readyTimeoutMs ?? 180_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${entry.pathname} exited with ${code} before it was ready:\n${output}`));
    };
    child.once('exit', onExit);
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'ready') {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(message as unknown as Ready);
      } else if (message.kind === 'failed') {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        reject(new Error(`${entry.pathname} failed: ${message.message}\n${output}`));
      } else if (message.kind === 'reply') {
        pending.get(message.id)?.(message.reply);
        pending.delete(message.id);
      }
    });
  });

  return {
    ready,
    process: child,
    output: () => output,
    ask<Reply>(request: Record<string, unknown>, timeoutMs = 60_000) {
      const id = nextId++;
      return new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no reply to ${JSON.stringify(request)} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          resolve(reply as Reply);
        });
        child.send({ ...request, id });
      });
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: reports `ready` (or `failed`) to the parent and answers its requests with
 * `handle`. Exits on SIGTERM after `close`.
 */
export function serveParent(
  start: () => Promise<{
    ready: Record<string, unknown>;
    handle?: (request: Record<string, unknown>) => Promise<unknown>;
    close(): Promise<void>;
  }>,
): void {
  const send = (message: ChildMessage) => process.send?.(message);
  start().then(
    ({ ready, handle, close }) => {
      process.on('message', (request: Record<string, unknown> & { id: number }) => {
        void (handle?.(request) ?? Promise.resolve(null)).then(
          (reply) => send({ kind: 'reply', id: request.id, reply }),
          (error: unknown) =>
            send({
              kind: 'reply',
              id: request.id,
              reply: { error: String((error as Error)?.message ?? error) },
            }),
        );
      });
      process.once('SIGTERM', () => {
        void close().finally(() => process.exit(0));
      });
      send({ ...ready, kind: 'ready' });
    },
    (error: unknown) => {
      send({ kind: 'failed', message: String((error as Error)?.stack ?? error) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
}
