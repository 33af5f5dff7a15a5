import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where this machine's nats-server is, if it has one on the PATH or in /usr/sbin. */
const BINARY = ['nats-server', '/usr/sbin/nats-server'].find(
  (candidate) => spawnSync(candidate, ['--version']).status === 0,
);

/**
 * A NATS server with JetStream that a test owns and may stop and start again on the same port and
 * storage (an outage), unlike the shared one on 4222.
 */
export interface PrivateNatsServer {
  readonly url: string;
  /** Kills the server (SIGKILL), as an outage would. */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage. */
  start(): void;
  /** Stops it and deletes its storage. */
  dispose(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a private NATS server on a free loopback port. @throws when nats-server is not installed */
export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  if (!BINARY) throw new Error('nats-server is not installed');
  const port = await freeLoopbackPort();
  const storage = join(tmpdir(), `sportello-nats-${port}`);
  let child: ChildProcess | undefined;
  const start = () => {
    child = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storage], {
      stdio: 'ignore',
    });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  start();
  return {
    url: `127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(storage, { recursive: true, force: true });
    },
  };
}

/** Retries `open` until a server just started accepts connections (within 20 s). */
export async function whenServerAccepts<T>(open: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await open();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
