import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDatabase,
  createInProcessBus,
  createLogger,
  type Consumer,
  type Database,
  type DatabaseDriver,
} from '@sportello/platform';
import {
  DATABASE_DRIVERS,
  LOCAL_POSTGRES_URL,
  startFakeIo,
  startFakeTelegram,
  startSmtpSink,
} from '@sportello/test-support';
import { createEvent, type AnyEvent } from '@sportello/schema';
import type { ContactDirectory, ContactPoint } from './directory/contact-directory.js';
import { NotificationEntity } from './entities/notification.entity.js';
import { NOTIFIER_ENTITIES } from './entities/index.js';
import { TelegramChatEntity } from './entities/telegram-chat.entity.js';
import { startConsumer } from './events/consumer.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';
import { DeliveryStore } from './delivery/delivery-store.js';
import { createNotifier } from './notifier.js';
import {
  COMUNE,
  fiscalCodes,
  smtpPeerSettings,
  telegramPeerSettings,
  testConfig,
} from './test-support/harness.js';
import { notifierTestDatabase, type Cleanups } from './test-support/dispatch.js';

/**
 * What a submitted practice costs the notifier in SQL statements, counted on the real driver
 * through MikroORM's own query log (transactions' `begin` and `commit` included): the four events a
 * submission publishes (the draft, its submission, `practice.submitted`, its registration) are
 * consumed from the bus, the one citizens hear of is planned, and its messages leave through the
 * SMTP, Telegram and App IO peers; then the bus hands all four out again. The bounds fail the
 * build when the notifier's own statements per practice grow again.
 */

const TOKEN = '424242:statements-token';
const IO_KEY = 'io-key-for-statements';
const [APPLICANT] = fiscalCodes(1, 40_000) as [string];
const CHAT_ID = '777001';
const PRACTICE_ID = '0193a0a0-0000-7000-8000-00000000abcd';

/**
 * Statements per submitted practice (four events, one of them planned and sent on three channels),
 * at most, as measured: planning takes a read, the linked Telegram chat and one transaction; each
 * message a claim, its `sending` mark and its outcome with the attempt (one statement on
 * PostgreSQL, a transaction of two on SQLite); the dashboards' counts one. The events no one hears
 * of take none, and sending reads nothing the planner just wrote.
 */
const BOUND: Record<DatabaseDriver, number> = { sqlite: 26, postgresql: 17 };
/** Statements when the bus hands the same four events out again, at most. */
const REDELIVERY_BOUND = 1;

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database handle whose statements MikroORM logs into `statements`. */
async function countedHandle(
  driver: DatabaseDriver,
  scratch: { sqlitePath?: string; postgresDatabase?: string },
) {
  const state = { statements: [] as string[] };
  const logger = createLogger({
    name: 'statements-test',
    level: 'debug',
    destination: {
      write(line: string) {
        const { msg } = JSON.parse(line) as { msg?: string };
        // MikroORM's query log: `[query] <sql> [took n ms...]`, possibly coloured.
        // eslint-disable-next-line no-control-regex
        const plain = (msg ?? '').replace(/\u001b\[[0-9;]*m/g, '');
        const query = /^\[query\] (.*?)(?: \[took .*)?$/s.exec(plain)?.[1];
        if (query !== undefined) state.statements.push(query);
      },
    },
  });
  const database = await createDatabase({
    service: 'notifier',
    driver,
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
    sqlitePath: scratch.sqlitePath,
    postgresUrl: LOCAL_POSTGRES_URL,
    postgresDatabase: scratch.postgresDatabase,
    logger,
    debug: true,
  });
  return { database, state };
}

function practiceEvents(): AnyEvent[] {
  const fields = {
    practiceId: PRACTICE_ID,
    typeCode: 'bulky-waste-collection',
    typeTitle: 'Ritiro rifiuti ingombranti a domicilio',
    office: 'practices',
    applicantFiscalCode: APPLICANT,
    onBehalfOfFiscalCode: null,
  };
  const actor = { kind: 'citizen', id: APPLICANT } as const;
  const changed = (from: string | null, to: string, protocolNumber: string | null) =>
    createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: PRACTICE_ID,
      actor,
      data: { ...fields, protocolNumber, from, to },
    } as never) as AnyEvent;
  return [
    changed(null, 'draft', null),
    changed('draft', 'submitted', null),
    changed('submitted', 'registered', '2026/000321'),
    createEvent('practice.submitted', {
      comune: COMUNE,
      subject: PRACTICE_ID,
      actor,
      data: { ...fields, protocolNumber: '2026/000321' },
    } as never) as AnyEvent,
  ];
}

/** Statements grouped by their shape (literals blanked), most repeated first: what to look at. */
function shapes(statements: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const sql of statements) {
    const shape = sql
      .replace(/'(?:[^']|'')*'/g, '?')
      .replace(/\b\d+\b/g, '?')
      .replace(/\s+/g, ' ')
      .slice(0, 120);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

describe.each(DATABASE_DRIVERS)('statements per submitted practice on %s', (driver) => {
  it('stay within the bound, each message sent once, and a redelivery costs next to nothing', async () => {
    const scratch = await notifierTestDatabase(driver, cleanups);
    const [smtp, telegram, io] = await Promise.all([
      startSmtpSink(),
      startFakeTelegram({ token: TOKEN }),
      startFakeIo({ keys: [IO_KEY], profiles: { [APPLICANT]: { senderAllowed: true } } }),
    ]);
    cleanups.push(
      () => smtp.close(),
      () => telegram.close(),
      () => io.close(),
    );
    await scratch.database
      .fork({ comune: COMUNE })
      .insert(TelegramChatEntity, { chatId: CHAT_ID, comune: COMUNE, fiscalCode: APPLICANT, linkedAt: 1 });
    const contact: ContactPoint = {
      fiscalCode: APPLICANT,
      email: 'applicant@example.org',
      emailVerified: true,
      telegramLinked: true,
      ioEnabled: true,
      language: 'it',
      preferences: {},
    };
    const contacts = {
      async contactsOf(_comune: string, codes: readonly string[]) {
        return new Map(codes.filter((code) => code === APPLICANT).map((code) => [code, contact]));
      },
    } as unknown as ContactDirectory;

    const counted = await countedHandle(driver, scratch);
    cleanups.push(() => counted.database.close());
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    const logger = createLogger({ name: 'statements-test', level: 'silent' });
    const notifier = await createNotifier(
      testConfig({
        smtp: smtpPeerSettings(smtp),
        telegram: telegramPeerSettings(telegram.apiRoot, TOKEN),
        io: { baseUrl: io.baseUrl, apiKey: IO_KEY, ratePerSecond: 100 },
        // Nothing on a timer while counting: the dispatcher claims when planning wakes it.
        dispatch: { ...testConfig().dispatch, pollIntervalMs: 600_000, recoverIntervalMs: 600_000 },
        statsThrottleMs: 600_000,
      }),
      { bus, logger, contacts, database: counted.database },
    );
    cleanups.push(() => notifier.close());
    await notifier.dispatcher.start();
    let handled = 0;
    const consumer: Consumer = await startConsumer({
      bus,
      database: counted.database,
      planner: notifier.planner,
      chatLinks: notifier.chatLinks,
      name: 'notifier',
      logger,
      observer: { handled: () => (handled += 1) },
    });
    cleanups.push(() => consumer.stop());
    const events = practiceEvents();
    const registered = events[2]!;
    // Another handle on the same database, uncounted, for the test's own reads.
    const reader: Database = scratch.database;
    const readerStore = new DeliveryStore(reader);
    // The dispatcher's first claims, on starting, are done: the count starts from an idle notifier.
    const isClaim = (sql: string) => sql.startsWith("update delivery set status = 'claimed'");
    await vi.waitFor(() => expect(counted.state.statements.filter(isClaim)).toHaveLength(3));
    const from = counted.state.statements.length;
    for (const event of events) await bus.publish(event);
    await vi.waitFor(() => expect(handled).toBe(events.length), { timeout: 30_000, interval: 20 });
    await vi.waitFor(
      () => {
        expect([smtp.mails.length, telegram.sent.length, io.messages.length]).toEqual([1, 1, 1]);
      },
      { timeout: 30_000, interval: 20 },
    );
    await vi.waitFor(
      async () => {
        const counts = (await readerStore.counts([registered.id])).get(registered.id);
        expect([...(counts?.values() ?? [])].map((c) => c.sent)).toEqual([1, 1, 1]);
      },
      { timeout: 30_000, interval: 20 },
    );
    // The dashboards' live counts, once for the event.
    await notifier.stats.flush();
    // The dispatcher's passes end; what is counted is what they ran.
    await notifier.dispatcher.stop();
    const journey = counted.state.statements.slice(from);
    console.info(
      `${driver}: ${journey.length} statements per submitted practice\n` +
        shapes(journey)
          .map(([shape, n]) => `${String(n).padStart(3)}  ${shape}`)
          .join('\n'),
    );
    expect(
      await reader
        .forkUnscoped()
        .count(NotificationEntity, { eventId: registered.id, plannedAt: { $ne: null } }),
    ).toBe(1);

    // The same events handed out again (a redelivery): nothing is planned or sent twice.
    const again = counted.state.statements.length;
    for (const event of events) await notifier.planner.planEvent(event);
    const redelivery = counted.state.statements.slice(again);
    console.info(`${driver}: ${redelivery.length} statements for the redelivery`);
    await notifier.dispatcher.runOnce();
    expect(smtp.mails).toHaveLength(1);
    expect(telegram.sent).toHaveLength(1);
    expect(io.messages).toHaveLength(1);

    expect(journey.length).toBeLessThanOrEqual(BOUND[driver]);
    expect(redelivery.length).toBeLessThanOrEqual(REDELIVERY_BOUND);
  }, 60_000);
});
