import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where this machine's nats-server is, if it has one on the PATH or in /usr/sbin. */
const BINARY = ['nats-server', '/usr/sbin/nats-server'].find(
  (candidate) => spawnSync(candidate, ['--version']).status === 0,
);

/** What nats-server logs once it listens for clients (JetStream recovered first). */
const READY_LINE = 'Server is ready';
/** How long a server may take to say it is ready, however loaded the machine. */
const READY_WITHIN_MS = 30_000;

/**
 * A NATS server with JetStream that a test owns and may stop and start again on the same port and
 * storage (an outage), unlike the shared one on 4222.
 */
export interface PrivateNatsServer {
  readonly url: string;
  /** Kills the server (SIGKILL), as an outage would. */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage (see {@link ready}). */
  start(): void;
  /**
   * Resolves once the last server started accepts connections (it logged that it is ready); rejects
   * if it exited first or did not get there within 30 s.
   */
  ready(): Promise<void>;
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

/** Resolves when `child` logs its ready line on stderr (nats-server logs there); rejects if it exits first. */
function readyLine(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let log = '';
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve();
    };
    const deadline = setTimeout(
      () => settle(new Error(`nats-server did not get ready within ${READY_WITHIN_MS} ms:\n${log}`)),
      READY_WITHIN_MS,
    );
    deadline.unref();
    // Read the log to its end, ready or not: a pipe nobody drains would stall the server.
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (settled) return;
      log += chunk;
      if (log.includes(READY_LINE)) settle();
    });
    child.once('error', (error) => settle(error));
    child.once('exit', (code, signal) =>
      settle(new Error(`nats-server exited (${signal ?? code}) before it was ready:\n${log}`)),
    );
  });
}

/**
 * Starts a private NATS server on a free loopback port, resolving once it accepts connections.
 * @throws when nats-server is not installed or does not start
 */
export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  if (!BINARY) throw new Error('nats-server is not installed');
  const port = await freeLoopbackPort();
  const storage = join(tmpdir(), `sportello-nats-${port}`);
  let child: ChildProcess | undefined;
  let readiness!: Promise<void>;
  const start = () => {
    child = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storage], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    readiness = readyLine(child);
    // A start nobody waits for (the client reconnects by itself) must not be an unhandled rejection.
    readiness.catch(() => undefined);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const dispose = async () => {
    await stop();
    await rm(storage, { recursive: true, force: true });
  };
  start();
  try {
    await readiness;
  } catch (error) {
    await dispose();
    throw error;
  }
  return { url: `127.0.0.1:${port}`, start, stop, ready: () => readiness, dispose };
}
