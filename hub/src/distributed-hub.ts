import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInProcessBus, createLogger, type Logger } from '@sportello/platform';
import { gatewayEnvSchema } from '@sportello/gateway';
import { HUB_VARIABLES, type HubConfig, type ServiceName } from './config.js';
import { generatePopulation } from './demo/population.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import { reservePorts, type PortReservation } from './ports.js';
import { SERVICE_MODULES } from './services.js';
import { withDemoSecrets } from './key-encryption-key.js';
import { checkStartable } from './preflight.js';
import { planTopology, serviceEnvironment, SERVICE_VARIABLES, type Topology } from './topology.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY_MAIN = 'gateway/dist/main.js';

export interface ServiceProcess {
  name: ServiceName | 'gateway';
  pid: number;
  child: ChildProcess;
}

/** A running distributed hub: one child process per service plus the gateway. */
export interface DistributedHub {
  url: string;
  /** The local mail catcher; `null` when mail goes to the SMTP server configured with `SMTP_HOST`. */
  mailbox: MailCatcher | null;
  topology: Topology;
  processes: ServiceProcess[];
  close(): Promise<void>;
}

export interface DistributedHubOptions {
  onProgress?: (line: string) => void;
  logger?: Logger;
  /** How long a service may take to answer /health. @default 60 s */
  startTimeoutMs?: number;
}

/**
 * Seeds the demo comune into each service's PostgreSQL database (migrating it first), then starts
 * every service and the gateway as separate processes talking over NATS.
 */
export async function startDistributedHub(
  config: HubConfig,
  options: DistributedHubOptions = {},
): Promise<DistributedHub> {
  // Held through seeding; each is let go just before the process that listens on it starts.
  const reservation = config.port === 0 ? await reservePorts(SERVICE_MODULES.length + 2) : undefined;
  try {
    return await startProcesses(config, options, reservation);
  } finally {
    await reservation?.releaseAll();
  }
}

async function startProcesses(
  hubConfig: HubConfig,
  options: DistributedHubOptions,
  reservation: PortReservation | undefined,
): Promise<DistributedHub> {
  const config = await withDemoSecrets(hubConfig);
  const progress = options.onProgress ?? (() => {});
  const logger = options.logger ?? createLogger({ name: 'hub', level: config.logLevel });
  // The demo's mailbox lives in the launcher: the notifier process sends to it over SMTP.
  const mailbox =
    config.smtp.host === null && config.mode === 'demo'
      ? await startMailCatcher({ folder: join(resolve(config.dataDir), 'mailbox'), port: config.smtp.port })
      : null;
  const topology = planTopology(config, 'distributed', {
    reserved: reservation?.ports,
    mailCatcherPort: mailbox?.port,
  });
  const env = (service: ServiceName | 'gateway') => serviceEnvironment(service, config, topology);
  try {
    checkStartable(config, topology);
  } catch (error) {
    await mailbox?.close();
    throw error;
  }

  // Seeding writes through each service's own code and database; its events wait in the service's
  // outbox until the service's relay publishes them to NATS.
  const population =
    config.mode === 'demo'
      ? generatePopulation({ households: config.demoHouseholds, istat: config.comune })
      : undefined;
  const seedBus = createInProcessBus();
  for (const module of SERVICE_MODULES) {
    const service = await module.create(env(module.name), {
      bus: seedBus,
      logger: logger.child({ service: module.name }),
    });
    try {
      await service.database.migrate();
      const done = population
        ? await module.seed(service.database, population, progress, topology)
        : await module.setUp?.(service.database, config, topology);
      if (done) progress(`  ${done}`);
    } finally {
      await service.close();
    }
  }
  await seedBus.close();

  const processes: ServiceProcess[] = [];
  const stopAll = async () => {
    await Promise.all(processes.map((p) => stopProcess(p.child)));
    await mailbox?.close();
  };
  try {
    for (const module of SERVICE_MODULES) {
      await reservation?.release(topology.ports[module.name]);
      processes.push(launch(module.name, module.main, env(module.name), progress));
      await waitForHealth(
        `${topology.baseUrl(module.name)}/health`,
        options.startTimeoutMs ?? 60_000,
        processes.at(-1)!,
      );
    }
    await reservation?.release(topology.gatewayPort);
    const gateway = launch('gateway', GATEWAY_MAIN, env('gateway'), progress);
    processes.push(gateway);
    const gatewayBase = `http://127.0.0.1:${topology.gatewayPort}`;
    await waitForHealth(`${gatewayBase}/health`, options.startTimeoutMs ?? 60_000, gateway);
    return {
      url: `${gatewayBase}/graphql`,
      mailbox,
      topology,
      processes,
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function launch(
  name: ServiceName | 'gateway',
  main: string,
  env: Record<string, string | undefined>,
  progress: (line: string) => void,
): ServiceProcess {
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    // The machine's variables (PATH, NODE_OPTIONS...), not the hub's settings: each process gets its
    // own from the hub, and a secret of one service never reaches another.
    env: { ...systemEnvironment(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) progress(`[${name}] ${line}`);
  };
  child.stdout?.on('data', prefix);
  child.stderr?.on('data', prefix);
  return { name, pid: child.pid ?? -1, child };
}

async function waitForHealth(url: string, timeoutMs: number, process: ServiceProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) {
      throw new Error(`${process.name} exited with code ${process.child.exitCode} while starting`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet: try again shortly.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${process.name} did not answer ${url} within ${timeoutMs} ms`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Every variable a Sportello service or the hub reads: kept from the children's inherited environment. */
const SPORTELLO_VARIABLES = new Set([
  ...Object.values(SERVICE_VARIABLES).flat(),
  ...Object.keys(gatewayEnvSchema.shape),
  ...HUB_VARIABLES,
]);

function systemEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !SPORTELLO_VARIABLES.has(name)));
}
