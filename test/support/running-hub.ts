import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { startHubProcess, type HubProcess } from './hub-process.js';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = '127.0.0.1:4222';
/** The stream the distributed hub's services share (the bus's default). */
const STREAM = 'SPORTELLO';

/** A hub a test started, as its users reach it. */
export interface RunningHub {
  mode: 'embedded' | 'distributed';
  /** The gateway's GraphQL endpoint (graphql-ws on the same path). */
  api: string;
  /** Identity's base URL (OAuth, `/auth/dev/token`). */
  identity: string;
  /** ISTAT code of the demo comune of this run. */
  comune: string;
  /** Households of the generated population (pass to `generatePopulation` to know who lives there). */
  households: number;
  process: HubProcess;
  /** Stops the hub and removes what the run left: its data folder, its databases (distributed). */
  stop(): Promise<void>;
}

/** Options of {@link startHub}. */
export interface StartHubOptions {
  households: number;
  /** @default a random ISTAT-like code in distributed mode, the demo's `999001` embedded */
  comune?: string;
  /** More environment for the hub (channel endpoints...). */
  env?: Record<string, string>;
  /** @default 300 s */
  timeoutMs?: number;
}

/** A random ISTAT-like code, so events left on the shared NATS stream by other runs never match. */
export const randomComune = (): string => `9${String(randomInt(10_000, 99_999))}`;

/**
 * Starts the hub the way a user does (`hub/dist/<mode>.js`) on free ports, with a data folder of its
 * own and, in distributed mode, databases of its own (`sportello_e2e_<random>_<service>`), and waits
 * until it prints that it is up. The notifier of a distributed run reads the shared NATS stream with
 * a durable consumer of its own (the hub names it after the database prefix), created here to start
 * at the run's start and deleted with the run.
 */
export async function startHub(
  mode: 'embedded' | 'distributed',
  options: StartHubOptions,
): Promise<RunningHub> {
  const comune = options.comune ?? (mode === 'embedded' ? '999001' : randomComune());
  const databasePrefix = `sportello_e2e_${randomBytes(4).toString('hex')}_`;
  const dataDir = await mkdtemp(join(tmpdir(), `sportello-${mode}-`));
  if (mode === 'distributed') await createConsumerFromNow(`${databasePrefix}notifier`);
  const hub = startHubProcess(mode, {
    PORT: '0',
    SMTP_PORT: '0',
    DATA_DIR: dataDir,
    DEMO_HOUSEHOLDS: String(options.households),
    COMUNE: comune,
    ...(mode === 'distributed' ? { POSTGRES_DATABASE_PREFIX: databasePrefix } : {}),
    ...options.env,
  });
  const cleanUp = async () => {
    await hub.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (mode === 'distributed') {
      await dropDatabases(databasePrefix);
      await deleteConsumer(`${databasePrefix}notifier`);
      // Services name their durable consumers after their databases (practices, tributi: fees).
      await deleteConsumersStartingWith(databasePrefix);
    }
  };
  let output: string;
  try {
    output = await hub.waitFor(/Sportello is up/, options.timeoutMs ?? 300_000);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    mode,
    api: /GraphQL API\s+(\S+)/.exec(output)![1]!,
    identity: /demo tokens\s+POST (\S+)\/auth\/dev\/token/.exec(output)![1]!,
    comune,
    households: options.households,
    process: hub,
    stop: cleanUp,
  };
}

/** Drops the databases a distributed run created (sessions its processes left are ended). */
export async function dropDatabases(prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${prefix.replace(/_/g, '\\_')}%`],
    );
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
}

/** The notifier's subjects, filtered by the server from NATS 2.10 on (by the bus before). */
const NOTIFIER_SUBJECTS = ['civil-protection', 'practices', 'tributi', 'anagrafe', 'identity'].map(
  (producer) => `sportello.*.${producer}.>`,
);

/**
 * Creates the durable consumer of a new deployment on the shared stream, reading from now on: what
 * the deployment would read from a stream of its own, instead of a week of other runs' events. The
 * notifier adopts it at start.
 */
async function createConsumerFromNow(name: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    // A server without the stream yet has no backlog: the bus creates both as usual.
    const state = await jsm.streams.info(STREAM).then(
      (info) => info.state,
      () => undefined,
    );
    if (!state) return;
    // From the next sequence (a number the server compares exactly; start times it may not): the
    // notifier adopts the consumer and sets its own ack wait, deliveries and window on it.
    await jsm.consumers.add(STREAM, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: state.last_seq + 1,
      ...(serverVersionAtLeast(nc.info?.version, 2, 10) ? { filter_subjects: NOTIFIER_SUBJECTS } : {}),
    });
  } finally {
    await nc.close();
  }
}

/** Deletes the durable consumers a distributed run left on the shared stream, if they are there. */
async function deleteConsumer(name: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    // The notifier moves the consumer created here to one per lane (`<name>-critical`...).
    for (const durable of [name, `${name}-critical`, `${name}-interactive`, `${name}-bulk`]) {
      await jsm.consumers.delete(STREAM, durable).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

function serverVersionAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const [serverMajor = 0, serverMinor = 0] = (version ?? '0.0').split('.').map(Number);
  return serverMajor > major || (serverMajor === major && serverMinor >= minor);
}

/** Deletes every durable consumer on the shared stream whose name starts with `prefix`. */
async function deleteConsumersStartingWith(prefix: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const info of jsm.consumers.list(STREAM)) {
      if (info.name.startsWith(prefix)) names.push(info.name);
    }
    for (const name of names) await jsm.consumers.delete(STREAM, name).catch(() => false);
  } catch {
    // No stream (nothing was published): nothing to delete.
  } finally {
    await nc.close();
  }
}
