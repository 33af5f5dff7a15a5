/**
 * A service process for the outbox crash test (`outbox/crash.adapter.test.ts`), run as a real child process
 * so the test can kill it with SIGKILL. Its configuration is the JSON in argv[2].
 *
 * - `producer`: writes notes, each with its event through the outbox, and runs the relay (and, on
 *   the in-process bus, the consumer too, as in the embedded mode).
 * - `consumer`: runs a durable consumer on NATS.
 *
 * The consumer applies each event with `handleOnce`: its effect is a counter per event id in its
 * own database, so a duplicate effect would show as a count of 2. Every delivery is also appended to
 * a file (synchronously, so it survives the kill) to show that redeliveries did happen.
 *
 * Protocol on stdout, one line each: `ready`, `committed <eventId>`, `crash-point <eventId>`. A
 * crash point is where the process stops making progress and waits to be killed. Otherwise the
 * producer's relay keeps publishing (on each commit, and polling) until the process is told to stop:
 * the test watches the outbox and the consumer's database to know when everything went through.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { computeFiscalCode, createEvent } from '@sportello/schema';
import { pino } from 'pino';
import { createDatabase, type Database, type DatabaseDriver } from '../../database/database.js';
import { Note, Setting, testEntities } from '../../database/test-support/entities.js';
import { TEST_POSTGRES_URL, testMigrations } from '../../database/test-support/databases.js';
import { handleOnce } from '../../outbox/inbox.js';
import { recordEvent } from '../../outbox/record-event.js';
import { createOutboxRelay } from '../../outbox/relay.js';
import { type EventBus } from '../event-bus.js';
import { createInProcessBus } from '../in-process-bus.js';
import { createNatsBus } from '../nats-bus.js';

export interface DatabaseLocation {
  driver: DatabaseDriver;
  sqlitePath?: string;
  postgresDatabase?: string;
}

export type CrashPoint =
  /** The relay picked the committed event up; the process dies before publishing it. */
  | 'before-publish'
  /** The bus accepted the event; the process dies before the relay marks it published. */
  | 'after-publish'
  /** The consumer committed its effect; the process dies before the event is acknowledged. */
  | 'after-effect';

export interface ScenarioConfig {
  role: 'producer' | 'consumer';
  database: DatabaseLocation;
  consumerDatabase: DatabaseLocation;
  bus: { kind: 'in-process' } | { kind: 'nats'; servers: string; stream: string; root: string };
  comune: string;
  /** Producer: how many notes to write, one transaction each, one after the other. */
  writes: number;
  /** Stop at this point on the `index`-th event (1-based) this process handles there. */
  crash?: { point: CrashPoint; index: number };
  deliveriesFile: string;
}

export const CONSUMER_NAME = 'crash-consumer';

const APPLICANT = computeFiscalCode({
  surname: 'Esposito',
  name: 'Giulia',
  birthDate: '1990-05-17',
  sex: 'F',
  birthPlaceCode: 'F839',
});

const hang = (): Promise<never> => new Promise<never>(() => setInterval(() => undefined, 60_000));
const say = (line: string) => process.stdout.write(`${line}\n`);
const logger = pino({ level: 'warn' }, pino.destination({ fd: 2, sync: true }));

function open(location: DatabaseLocation): Promise<Database> {
  return createDatabase({
    service: 'platform-test',
    driver: location.driver,
    entities: testEntities,
    migrations: testMigrations,
    sqlitePath: location.sqlitePath,
    postgresUrl: TEST_POSTGRES_URL,
    postgresDatabase: location.postgresDatabase,
  });
}

async function openBus(config: ScenarioConfig): Promise<EventBus> {
  if (config.bus.kind === 'in-process') return createInProcessBus({ logger });
  return createNatsBus({
    servers: config.bus.servers,
    stream: config.bus.stream,
    subjectRoot: config.bus.root,
    logger,
  });
}

/** Counts calls per crash point and stops the process at the configured one. */
function crashPoints(config: ScenarioConfig) {
  const seen = new Map<CrashPoint, number>();
  return async (point: CrashPoint, eventId: string): Promise<void> => {
    const count = (seen.get(point) ?? 0) + 1;
    seen.set(point, count);
    if (config.crash?.point === point && config.crash.index === count) {
      say(`crash-point ${eventId}`);
      await hang();
    }
  };
}

async function startConsumer(config: ScenarioConfig, bus: EventBus, reach: ReturnType<typeof crashPoints>) {
  const database = await open(config.consumerDatabase);
  const subjects = [config.bus.kind === 'nats' ? `${config.bus.root}.>` : 'sportello.>'];
  await bus.consume({ name: CONSUMER_NAME, subjects, ackWaitMs: 1_000, backoffMs: [50] }, async (event) => {
    appendFileSync(config.deliveriesFile, `${event.id}\n`);
    const applied = await handleOnce(database.forkUnscoped(), CONSUMER_NAME, event, async (em) => {
      const key = `effect:${event.id}`;
      const effect = await em.findOne(Setting, { key });
      if (effect) effect.value = String(Number(effect.value) + 1);
      else em.create(Setting, { key, value: '1' });
    });
    if (applied) await reach('after-effect', event.id);
  });
  return database;
}

async function producer(config: ScenarioConfig): Promise<void> {
  const reach = crashPoints(config);
  const database = await open(config.database);
  const realBus = await openBus(config);
  if (config.bus.kind === 'in-process') await startConsumer(config, realBus, reach);
  const bus: EventBus = {
    consume: (options, handler) => realBus.consume(options, handler),
    listen: (subjects, handler) => realBus.listen(subjects, handler),
    broadcast: (topic, data) => realBus.broadcast(topic, data),
    onBroadcast: (topic, handler) => realBus.onBroadcast(topic, handler),
    close: () => realBus.close(),
    async publish(event) {
      await reach('before-publish', event.id);
      await realBus.publish(event);
      await reach('after-publish', event.id);
    },
  };
  const relay = createOutboxRelay({ database, bus, logger, pollIntervalMs: 20 });
  relay.start();
  process.once('SIGTERM', () => {
    void (async () => {
      await relay.stop();
      await realBus.close();
      await database.close();
      process.exit(0);
    })();
  });
  say('ready');

  for (let i = 1; i <= config.writes; i++) {
    const em = database.fork({ comune: config.comune });
    const note = em.create(Note, { id: randomUUID(), comune: config.comune, title: `note ${i}` });
    const event = createEvent('practice.submitted', {
      comune: config.comune,
      subject: note.id,
      actor: { kind: 'system', id: 'crash-test' },
      data: {
        practiceId: note.id,
        typeCode: 'crash-test',
        office: 'anagrafe',
        applicantFiscalCode: APPLICANT,
        protocolNumber: null,
        onBehalfOfFiscalCode: null,
      },
    });
    recordEvent(em, event);
    await em.flush();
    say(`committed ${event.id}`);
    relay.nudge();
  }
}

async function consumer(config: ScenarioConfig): Promise<void> {
  const reach = crashPoints(config);
  const bus = await openBus(config);
  const database = await startConsumer(config, bus, reach);
  say('ready');
  process.once('SIGTERM', () => {
    void (async () => {
      await bus.close();
      await database.close();
      process.exit(0);
    })();
  });
}

const config = JSON.parse(process.argv[2] ?? '{}') as ScenarioConfig;
await (config.role === 'producer' ? producer(config) : consumer(config));
