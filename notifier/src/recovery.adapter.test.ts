import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createDatabase,
  createLogger,
  createNatsBus,
  type Database,
  type EventBus,
} from '@sportello/platform';
import { createEvent } from '@sportello/schema';
import { startFakeTelegram, startSmtpSink, type FakeTelegram, type SmtpSink } from '@sportello/test-support';
import { DeliveryEntity } from './entities/delivery.entity.js';
import { NOTIFIER_ENTITIES } from './entities/index.js';
import { NotificationEntity } from './entities/notification.entity.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';
import { seedNotifier } from './seed/index.js';
import { killChild, startCrashChild } from './test-support/crash-children.js';
import { COMUNE, fiscalCodes, startAnagrafeFake, startIdentity } from './test-support/harness.js';

/**
 * "Recovery in seconds": the notifier runs as a real process with a deployment's settings (10 s
 * lease renewed while sending, 10 s ack wait renewed while planning, several events in flight) on
 * SQLite and NATS JetStream, and is killed with SIGKILL twice while it works on a red alert: once
 * while planning it (anagrafe holds every page after the first until the notifier is killed), once
 * while sending it. After each restart the alert must be complete within 30 s, every resident served
 * once per channel.
 */

const NATS = 'nats://127.0.0.1:4222';
const TOKEN = '654322:recovery-test-token';
const N = 1000;
const residents = fiscalCodes(N, 20_000);
const withTelegram = residents.filter((_, i) => i % 4 === 0);
const chatOf = (fiscalCode: string) => String(900_000 + residents.indexOf(fiscalCode));
/** The bound the issue sets: the alert complete within 30 s of the restart. */
const RECOVERY_BOUND_MS = 30_000;

let identity: Awaited<ReturnType<typeof startIdentity>>;
let anagrafe: Awaited<ReturnType<typeof startAnagrafeFake>>;
let smtp: SmtpSink;
let telegram: FakeTelegram;
let dir: string;
let bus: EventBus;
let database: Database;
const suffix = randomBytes(4).toString('hex');
const stream = `NOTIFIERRECOVERY_${suffix}`;
const root = `notifierrecovery${suffix}`;
const children: ChildProcess[] = [];
const output: string[] = [];
/** Anagrafe answers the pages after an audience's first once this is released. */
let releaseLaterPages!: () => void;
const laterPages = new Promise<void>((resolve) => (releaseLaterPages = resolve));

function startChild(): { child: ChildProcess; ready: Promise<number> } {
  return startCrashChild(
    {
      sqlitePath: join(dir, 'notifier.db'),
      identityUrl: identity.url,
      anagrafeUrl: anagrafe.url,
      nats: NATS,
      stream,
      root,
      consumer: `notifier-${suffix}`,
      smtp: { host: smtp.host, port: smtp.port },
      smtpRatePerSecond: 400,
      telegramApiRoot: telegram.apiRoot,
      telegramToken: TOKEN,
      sandboxDir: join(dir, 'sandbox'),
      defaults: true,
    },
    { children, output },
  );
}

async function kill(child: ChildProcess): Promise<void> {
  await killChild(child);
}

/** Addresses that received the alert, with the distinct Message-IDs each got. */
function mailsByAddress(): Map<string, Set<string>> {
  const byAddress = new Map<string, Set<string>>();
  for (const mail of smtp.mails) {
    for (const to of mail.envelope.to) {
      const ids = byAddress.get(to) ?? new Set<string>();
      ids.add(mail.parsed.messageId ?? '');
      byAddress.set(to, ids);
    }
  }
  return byAddress;
}

async function deliveries() {
  return database.forkUnscoped().find(DeliveryEntity, {}, { fields: ['status', 'channel'] });
}

/** Resolves when every delivery of the alert is settled (sent, or uncertain on Telegram). */
async function complete(timeoutMs: number): Promise<number> {
  await expect
    .poll(
      async () => {
        const rows = await deliveries();
        return (
          rows.length === N + withTelegram.length &&
          rows.every((row) => row.status === 'sent' || row.status === 'uncertain') &&
          mailsByAddress().size === N
        );
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .toBe(true);
  return Date.now();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notifier-recovery-'));
  [identity, anagrafe, smtp, telegram] = await Promise.all([
    startIdentity(
      residents.map((fiscalCode, i) => ({ fiscalCode, email: `p${i}@example.org`, emailVerified: true })),
    ),
    startAnagrafeFake(
      { Z7: residents },
      { beforePage: (after) => (after === null ? undefined : laterPages) },
    ),
    startSmtpSink(),
    startFakeTelegram({ token: TOKEN, perSecond: 100, burst: 30 }),
  ]);
  await identity.identity.database
    .fork({ comune: COMUNE })
    .execute(
      `update citizen set telegram_chat_id = 'linked', telegram_linked_at = ? where fiscal_code in (${withTelegram.map(() => '?').join(',')})`,
      [new Date().toISOString(), ...withTelegram],
    );
  database = await createDatabase({
    service: 'notifier',
    driver: 'sqlite',
    sqlitePath: join(dir, 'notifier.db'),
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
  });
  await database.migrate();
  await seedNotifier(database, {
    comune: COMUNE,
    telegramChats: withTelegram.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
  });
  bus = await createNatsBus({
    servers: NATS,
    stream,
    subjectRoot: root,
    logger: createLogger({ name: 't', level: 'silent' }),
  });
}, 120_000);

afterAll(async () => {
  releaseLaterPages();
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await bus?.close();
  await database?.close();
  const nc = await connect({ servers: NATS });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
  await Promise.all([identity?.close(), anagrafe?.close(), smtp?.close(), telegram?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a red alert killed mid-planning and mid-sending completes within 30 s of each restart, once per channel', async () => {
  let run = startChild();
  await run.ready;
  const alert = createEvent('alert.issued', {
    comune: COMUNE,
    subject: 'alert-recovery',
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: 'alert-recovery',
      hazard: 'hydraulic',
      colour: 'red',
      zones: ['Z7'],
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo: '2026-11-24T12:00:00+01:00',
      phase: 'alarm',
      critical: true,
    },
  });
  await bus.publish(alert);

  // 1. Killed while planning: the first page's mails are going out, the next page is held back.
  await expect.poll(() => smtp.mails.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(50);
  await kill(run.child);
  const notification = await database.forkUnscoped().findOneOrFail(NotificationEntity, { eventId: alert.id });
  expect(notification.plannedAt).toBeNull();
  expect(notification.plannedRecipients).toBeLessThan(N);
  releaseLaterPages();
  run = startChild();
  let restartedAt = await run.ready;
  const firstRecovery = (await complete(RECOVERY_BOUND_MS + 30_000)) - restartedAt;
  expect(firstRecovery).toBeLessThan(RECOVERY_BOUND_MS);

  // 2. Killed while sending: a second alert for the same residents, killed halfway through its mails.
  const update = createEvent('alert.updated', {
    comune: COMUNE,
    subject: 'alert-recovery',
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: 'alert-recovery',
      hazard: 'hydraulic',
      colour: 'red',
      zones: ['Z7'],
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo: '2026-11-25T12:00:00+01:00',
      phase: 'alarm',
      critical: true,
    },
  });
  const mailsBefore = smtp.mails.length;
  await bus.publish(update);
  await expect.poll(() => smtp.mails.length - mailsBefore, { timeout: 60_000 }).toBeGreaterThanOrEqual(N / 2);
  await kill(run.child);
  run = startChild();
  restartedAt = await run.ready;
  await expect
    .poll(
      async () => {
        const rows = await database
          .forkUnscoped()
          .find(DeliveryEntity, { eventId: update.id }, { fields: ['status'] });
        return rows.length > 0 && rows.every((row) => row.status === 'sent' || row.status === 'uncertain');
      },
      { timeout: RECOVERY_BOUND_MS + 30_000, interval: 100 },
    )
    .toBe(true);
  expect(Date.now() - restartedAt).toBeLessThan(RECOVERY_BOUND_MS);

  // Exactly once: every address got each alert under one Message-ID; no chat got a message twice.
  const all = await database
    .forkUnscoped()
    .find(DeliveryEntity, {}, { fields: ['status', 'channel', 'eventId'] });
  expect(all.filter((row) => row.channel === 'email')).toHaveLength(2 * N);
  expect(all.filter((row) => row.channel === 'email').every((row) => row.status === 'sent')).toBe(true);
  const byAddress = mailsByAddress();
  expect(byAddress.size).toBe(N);
  expect([...byAddress.values()].every((ids) => ids.size === 2)).toBe(true);
  const byChat = new Map<string, number>();
  for (const message of telegram.sent) byChat.set(message.chatId, (byChat.get(message.chatId) ?? 0) + 1);
  expect([...byChat.values()].every((count) => count <= 2)).toBe(true);
  // A send interrupted by the kill is uncertain (never sent twice): at most one per slot in flight.
  const uncertain = all.filter((row) => row.status === 'uncertain');
  expect(uncertain.length).toBeLessThanOrEqual(2 * 16);
  expect(telegram.tooManyRequests).toBe(0);

  const exited = new Promise((resolve) => run.child.once('exit', resolve));
  run.child.kill('SIGTERM');
  await exited;
}, 300_000);
