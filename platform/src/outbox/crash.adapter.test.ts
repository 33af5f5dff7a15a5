import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type CrashPoint,
  type DatabaseLocation,
  type ScenarioConfig,
} from '../bus/test-support/outbox-crash-scenario.js';
import { type DatabaseDriver } from '../database/database.js';
import { Note, Setting } from '../database/test-support/entities.js';
import { scratchDatabase, type ScratchDatabase } from '../database/test-support/databases.js';
import { OutboxMessage } from './outbox-message.entity.js';

/**
 * "Killing the process between commit and publish loses nothing and publishes nothing twice."
 * Each scenario runs the service as a real child process and kills it with SIGKILL: at a chosen
 * point (after the commit, before the publish; after the publish, before the relay marks it) and at
 * random moments of a stream of writes. Then it restarts, and every committed event must have had
 * its effect on the consumer exactly once.
 */

const SCENARIO = fileURLToPath(new URL('../bus/test-support/outbox-crash-scenario.ts', import.meta.url));
const PLATFORM_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NATS_SERVERS = '127.0.0.1:4222';
const ROMA = '058091';
const TIMEOUT = 180_000;
/** The scenario's durable consumer (`CONSUMER_NAME` there: importing the script would run it). */
const CONSUMER_NAME = 'crash-consumer';

/** One run of the scenario script; `lines` is what it printed so far. */
class ServiceProcess {
  readonly lines: string[] = [];
  private stderr = '';
  private readonly exited: Promise<void>;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      this.lines.push(...complete.filter(Boolean));
      this.waiters.forEach((wake) => wake());
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.waiters.forEach((wake) => wake());
        resolve();
      }),
    );
  }

  static start(config: ScenarioConfig): ServiceProcess {
    // The scenario is TypeScript importing workspace sources, like the tests: tsx compiles it, the
    // `source` condition resolves @sportello/* to their src.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', SCENARIO, JSON.stringify(config)],
      {
        cwd: PLATFORM_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new ServiceProcess(child);
  }

  /** Resolves with the first printed line matching `pattern`. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const match = () => this.lines.find((candidate) => pattern.test(candidate));
    await this.until(() => match() !== undefined, `${pattern}`, timeoutMs);
    return match()!;
  }

  /**
   * Resolves once `condition` holds, checked now and at each line the process prints; rejects if
   * the process exits first or `timeoutMs` passes.
   */
  until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(deadline);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (condition()) finish();
        else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(new Error(`service exited before ${what}:\n${this.stderr}`));
        }
      };
      const deadline = setTimeout(
        () => finish(new Error(`timed out waiting for ${what}:\n${this.stderr}`)),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  /** Event ids this process reported as committed. */
  committed(): string[] {
    return this.lines
      .filter((line) => line.startsWith('committed '))
      .map((line) => line.slice('committed '.length));
  }

  /** The real thing: no handler runs, no buffer is flushed, no connection is closed politely. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null) throw new Error(`service had already exited:\n${this.stderr}`);
    this.child.kill('SIGKILL');
    await this.exited;
    expect(this.child.signalCode).toBe('SIGKILL');
  }

  async terminate(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

interface Setup {
  driver: DatabaseDriver;
  bus: ScenarioConfig['bus'];
}

describe.each<Setup & { name: string }>([
  { name: 'SQLite + in-process bus', driver: 'sqlite', bus: { kind: 'in-process' } },
  {
    name: 'PostgreSQL + NATS JetStream',
    driver: 'postgresql',
    bus: { kind: 'nats', servers: '', stream: '', root: '' },
  },
])('outbox crash safety: $name', ({ driver, bus: busKind }) => {
  let producerDb: ScratchDatabase;
  let consumerDb: ScratchDatabase;
  let dir: string;
  let bus: ScenarioConfig['bus'];
  const running: ServiceProcess[] = [];
  const committed = new Set<string>();

  const location = (scratch: ScratchDatabase): DatabaseLocation => ({
    driver,
    ...(scratch.sqlitePath ? { sqlitePath: scratch.sqlitePath } : {}),
    ...(scratch.postgresDatabase ? { postgresDatabase: scratch.postgresDatabase } : {}),
  });

  const start = (
    role: ScenarioConfig['role'],
    options: { writes?: number; crash?: { point: CrashPoint; index: number } } = {},
  ) => {
    const service = ServiceProcess.start({
      role,
      database: location(producerDb),
      consumerDatabase: location(consumerDb),
      bus,
      comune: ROMA,
      writes: options.writes ?? 0,
      ...(options.crash ? { crash: options.crash } : {}),
      deliveriesFile: join(dir, 'deliveries.log'),
    });
    running.push(service);
    return service;
  };

  const kill = async (service: ServiceProcess) => {
    await service.kill();
    service.committed().forEach((id) => committed.add(id));
  };

  /** Resolves once the producer's outbox has nothing left to publish (one handle, read again and again). */
  const untilAllPublished = async () => {
    const producer = await producerDb.open();
    try {
      const unpublished = () => producer.forkUnscoped().count(OutboxMessage, { publishedAt: null });
      await expect.poll(unpublished, { timeout: 60_000, interval: 50 }).toBe(0);
    } finally {
      await producer.close();
    }
  };

  /** Restarts the producer until its outbox is empty, then stops it. */
  const drainProducer = async () => {
    const producer = start('producer');
    await producer.waitFor(/^ready$/);
    await untilAllPublished();
    await producer.terminate();
  };

  /** Runs a consumer (NATS) until it has applied every event in the outbox. */
  const drainConsumer = async () => {
    if (bus.kind !== 'nats') return;
    const { stream } = bus;
    const consumer = start('consumer');
    await consumer.waitFor(/^ready$/);
    const expected = (await state()).events.length;
    const effects = await consumerDb.open();
    const nc = await connect({ servers: NATS_SERVERS });
    try {
      const jsm = await jetstreamManager(nc);
      // Caught up: every effect applied, and nothing left unacknowledged, delivered or not (events
      // run side by side, so the event a killed consumer held may come back after the later ones).
      const caughtUp = async () => {
        const applied = await effects.forkUnscoped().count(Setting, { key: { $like: 'effect:%' } });
        const info = await jsm.consumers.info(stream, CONSUMER_NAME);
        return applied >= expected && info.num_pending + info.num_ack_pending === 0;
      };
      await expect.poll(caughtUp, { timeout: 60_000, interval: 100 }).toBe(true);
    } finally {
      await nc.close();
      await effects.close();
    }
    await consumer.terminate();
  };

  const state = async () => {
    const producer = await producerDb.open();
    const consumer = await consumerDb.open();
    try {
      const events = await producer.forkUnscoped().find(OutboxMessage, {});
      const notes = await producer.fork({ comune: ROMA }).find(Note, {});
      const settings = await consumer.forkUnscoped().find(Setting, {});
      const effects = new Map(
        settings
          .filter((s) => s.key.startsWith('effect:'))
          .map((s) => [s.key.slice('effect:'.length), s.value]),
      );
      const deliveries = (await readFile(join(dir, 'deliveries.log'), 'utf8')).split('\n').filter(Boolean);
      return { events, notes, effects, deliveries };
    } finally {
      await producer.close();
      await consumer.close();
    }
  };

  /** The headline property: every committed event had its effect exactly once. */
  const expectExactlyOnce = async () => {
    const { events, notes, effects, deliveries } = await state();
    const eventIds = events.map((event) => event.id).sort();
    // Every note has its event and vice versa: the write and the outbox row were atomic.
    expect(events.map((event) => event.subject).sort()).toEqual(notes.map((note) => note.id).sort());
    // Nothing a process reported as committed is missing.
    expect(eventIds).toEqual(expect.arrayContaining([...committed]));
    expect(events.filter((event) => event.publishedAt === null)).toEqual([]);
    // Each event applied exactly once, no unknown effect.
    expect([...effects.keys()].sort()).toEqual(eventIds);
    expect([...effects.values()].every((count) => count === '1')).toBe(true);
    expect(new Set(deliveries)).toEqual(new Set(eventIds));
    return { eventIds, deliveries };
  };

  const deliveriesOf = (deliveries: string[], id: string) => deliveries.filter((d) => d === id).length;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sportello-crash-'));
    await writeFile(join(dir, 'deliveries.log'), '');
    committed.clear();
    producerDb = await scratchDatabase(driver);
    consumerDb = await scratchDatabase(driver);
    for (const scratch of [producerDb, consumerDb]) {
      const database = await scratch.open();
      await database.migrate();
      await database.close();
    }
    if (busKind.kind === 'nats') {
      const suffix = randomBytes(5).toString('hex');
      bus = {
        kind: 'nats',
        servers: NATS_SERVERS,
        stream: `CRASHTEST_${suffix}`,
        root: `crashtest${suffix}`,
      };
    } else {
      bus = busKind;
    }
  }, TIMEOUT);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.kill().catch(() => undefined)));
    await producerDb.dispose();
    await consumerDb.dispose();
    await rm(dir, { recursive: true, force: true });
    if (bus.kind === 'nats') {
      const nc = await connect({ servers: NATS_SERVERS });
      try {
        await (await jetstreamManager(nc)).streams.delete(bus.stream).catch(() => undefined);
      } finally {
        await nc.close();
      }
    }
  }, TIMEOUT);

  test(
    'killed after the commit, before the publish: the event is published after the restart, once',
    async () => {
      if (bus.kind === 'nats') await start('consumer').waitFor(/^ready$/);
      const producer = start('producer', { writes: 8, crash: { point: 'before-publish', index: 3 } });
      const crashLine = await producer.waitFor(/^crash-point /);
      const stuck = crashLine.slice('crash-point '.length);
      await kill(producer);

      const afterCrash = await state();
      expect(afterCrash.events.map((event) => event.id)).toContain(stuck);
      expect(afterCrash.events.find((event) => event.id === stuck)?.publishedAt).toBeNull();
      expect(afterCrash.effects.has(stuck)).toBe(false);

      await drainProducer();
      await drainConsumer();
      const { deliveries } = await expectExactlyOnce();
      expect(deliveriesOf(deliveries, stuck)).toBe(1);
    },
    TIMEOUT,
  );

  test(
    'killed after the publish, before it is marked: the republished event has no second effect',
    async () => {
      if (bus.kind === 'nats') await start('consumer').waitFor(/^ready$/);
      const producer = start('producer', { writes: 5, crash: { point: 'after-publish', index: 2 } });
      const stuck = (await producer.waitFor(/^crash-point /)).slice('crash-point '.length);
      if (bus.kind === 'in-process') {
        // In-process, publish resolves after the consumer has handled the event.
        await expect.poll(async () => (await state()).effects.get(stuck)).toBe('1');
      }
      await kill(producer);
      expect((await state()).events.find((event) => event.id === stuck)?.publishedAt).toBeNull();

      await drainProducer();
      await drainConsumer();
      const { deliveries } = await expectExactlyOnce();
      // In memory there is nothing to remember the first publish by: the inbox absorbs the repeat.
      // JetStream drops it by message id, so the consumer does not even see it again.
      expect(deliveriesOf(deliveries, stuck)).toBe(bus.kind === 'in-process' ? 2 : 1);
    },
    TIMEOUT,
  );

  test(
    'killed at random moments of a stream of writes: nothing lost, nothing applied twice',
    async () => {
      for (let round = 0; round < 3; round++) {
        const consumer = bus.kind === 'nats' ? start('consumer') : undefined;
        const producer = start('producer', { writes: 200 });
        await producer.waitFor(/^ready$/);
        await consumer?.waitFor(/^ready$/);
        // Killed at a random point of the stream of writes: after a random number of its commits.
        const killAfter = 1 + Math.floor(Math.random() * 150);
        await producer.until(() => producer.committed().length >= killAfter, `${killAfter} commits`);
        // Kill the consumer too, mid-stream, sometimes first and sometimes last.
        const victims = consumer
          ? Math.random() < 0.5
            ? [consumer, producer]
            : [producer, consumer]
          : [producer];
        for (const victim of victims) await kill(victim);
        expect(producer.committed().length).toBeGreaterThan(0);
      }

      await drainProducer();
      await drainConsumer();
      const { eventIds } = await expectExactlyOnce();
      expect(eventIds.length).toBeGreaterThanOrEqual(committed.size);
    },
    TIMEOUT,
  );

  if (busKind.kind === 'nats') {
    test(
      'a consumer killed after its effect, before the ack, gets the event again and changes nothing',
      async () => {
        const consumer = start('consumer', { crash: { point: 'after-effect', index: 2 } });
        await consumer.waitFor(/^ready$/);
        const producer = start('producer', { writes: 5 });
        const stuck = (await consumer.waitFor(/^crash-point /)).slice('crash-point '.length);
        await kill(consumer);
        await producer.until(() => producer.committed().length === 5, 'the five commits');
        await untilAllPublished();
        await kill(producer);

        await drainConsumer();
        const { deliveries } = await expectExactlyOnce();
        expect(deliveriesOf(deliveries, stuck)).toBe(2);
      },
      TIMEOUT,
    );
  }
});
