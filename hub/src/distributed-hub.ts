import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInProcessBus, createLogger, type Logger } from '@sportello/platform';
import { gatewayEnvSchema } from '@sportello/gateway';
import { HUB_VARIABLES, type HubConfig, type ServiceName } from './config.js';
import { generatePopulation } from './demo/population.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import { startHubDemoUpstream } from './demo-upstream.js';
import { reservePorts, type PortReservation } from './ports.js';
import { SERVICE_MODULES } from './services.js';
import { withDemoSecrets } from './key-encryption-key.js';
import { checkStartable } from './preflight.js';
import { createSupervisor, type SupervisedProcess } from './supervisor.js';
import {
  planTopology,
  serviceEnvironment,
  SERVICE_VARIABLES,
  withTelegramBot,
  type Topology,
} from './topology.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY_MAIN = 'gateway/dist/main.js';

/** A process of the distributed hub; `child` and `pid` change when the supervisor restarts it. */
export type ServiceProcess = SupervisedProcess & { readonly name: ServiceName | 'gateway' };

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
  /** How long a service may take to answer /health. @default the config's (`HUB_START_TIMEOUT_SECONDS`, 180 s) */
  startTimeoutMs?: number;
  /** First pause before a crashed process is started again (doubling up to 30 s). @default 1_000 */
  restartBaseMs?: number;
}

/**
 * Migrates each service's PostgreSQL database and seeds the demo comune into it, every service at
 * once, then starts identity (the others verify its tokens and read its revocations at start) and,
 * once it answers, every other service and the gateway at once, as separate processes talking over
 * NATS. From then on a process that exits on its own is logged and started again after a growing
 * pause; `close` stops them all.
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
  const config = await withTelegramBot(await withDemoSecrets(hubConfig));
  const progress = options.onProgress ?? (() => {});
  const logger = options.logger ?? createLogger({ name: 'hub', level: config.logLevel });
  // The demo's mailbox lives in the launcher: the notifier process sends to it over SMTP.
  const mailbox =
    config.smtp.host === null && config.mode === 'demo'
      ? await startMailCatcher({ folder: join(resolve(config.dataDir), 'mailbox'), port: config.smtp.port })
      : null;
  // So is the demo upstream: identity's process signs people in there.
  let callbackUrl: string | null = null;
  const demoUpstream = await startHubDemoUpstream(config, () => callbackUrl).catch(async (error: unknown) => {
    await mailbox?.close();
    throw error;
  });
  const closeLauncherServers = async () => {
    await demoUpstream?.upstream.close();
    await mailbox?.close();
  };
  const topology = planTopology(config, 'distributed', {
    reserved: reservation?.ports,
    mailCatcherPort: mailbox?.port,
    demoUpstream: demoUpstream?.settings,
  });
  callbackUrl = `${topology.issuer}/oauth/callback`;
  const env = (service: ServiceName | 'gateway') => serviceEnvironment(service, config, topology);
  try {
    checkStartable(config, topology);
  } catch (error) {
    await closeLauncherServers();
    throw error;
  }

  // Seeding writes through each service's own code and database; its events wait in the service's
  // outbox until the service's relay publishes them to NATS. Each service has a database of its
  // own: they migrate and seed side by side.
  const population =
    config.mode === 'demo'
      ? generatePopulation({ households: config.demoHouseholds, istat: config.comune })
      : undefined;
  if (population) demoUpstream?.upstream.know(population.people);
  const seedBus = createInProcessBus();
  try {
    await Promise.all(
      SERVICE_MODULES.map(async (module) => {
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
      }),
    );
  } catch (error) {
    await seedBus.close();
    await closeLauncherServers();
    throw error;
  }
  await seedBus.close();

  const supervisor = createSupervisor({
    cwd: ROOT,
    progress,
    logger,
    ...(options.restartBaseMs === undefined ? {} : { restartBaseMs: options.restartBaseMs }),
  });
  const stopAll = async () => {
    await supervisor.stop();
    await closeLauncherServers();
  };
  // A process that is alive and still starting is waited for: on a loaded machine a service's
  // start (migrations checked, keys loaded, schema built) can take well over a minute.
  const timeoutMs = options.startTimeoutMs ?? config.startTimeoutMs;
  const launch = async (name: ServiceName | 'gateway', main: string, port: number) => {
    await reservation?.release(port);
    // The machine's variables (PATH, NODE_OPTIONS...), not the hub's settings: each process gets
    // its own from the hub, and a secret of one service never reaches another.
    const started = supervisor.start(name, main, { ...systemEnvironment(), ...env(name) });
    await waitForHealth(`http://127.0.0.1:${port}/health`, timeoutMs, started);
  };
  try {
    const [first, ...others] = SERVICE_MODULES;
    await launch(first!.name, first!.main, topology.ports[first!.name]);
    await Promise.all([
      ...others.map((module) => launch(module.name, module.main, topology.ports[module.name])),
      launch('gateway', GATEWAY_MAIN, topology.gatewayPort),
    ]);
    supervisor.supervise();
    return {
      url: `http://127.0.0.1:${topology.gatewayPort}/graphql`,
      mailbox,
      topology,
      processes: supervisor.processes as ServiceProcess[],
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function waitForHealth(url: string, timeoutMs: number, process: SupervisedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = process.child;
    if (exitCode !== null || signalCode !== null) {
      throw new Error(`${process.name} exited with ${exitCode ?? signalCode} while starting`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet: try again shortly.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${process.name} did not answer ${url} within ${timeoutMs} ms`);
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
