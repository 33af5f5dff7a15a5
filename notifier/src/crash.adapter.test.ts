import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createDatabase, createLogger, createNatsBus, type EventBus } from '@sportello/platform';
import { createEvent } from '@sportello/schema';
import { startFakeTelegram, startSmtpSink, type FakeTelegram, type SmtpSink } from '@sportello/test-support';
import { DeliveryEntity } from './entities/delivery.entity.js';
import { NOTIFIER_ENTITIES } from './entities/index.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';
import { seedNotifier } from './seed/index.js';
import { killChild, startCrashChild } from './test-support/crash-children.js';
import { COMUNE, fiscalCodes, startAnagrafeFake, startIdentity } from './test-support/harness.js';

/**
 * "Killing the notifier mid fan-out and restarting serves every recipient once per channel." The
 * notifier runs as a real child process (tsx, workspace sources) on SQLite and NATS JetStream and is
 * killed with SIGKILL several times while it sends.
 */

const NATS = 'nats://127.0.0.1:4222';
const TOKEN = '654321:crash-test-token';
const N = 300;
const residents = fiscalCodes(N, 5000);
const chatOf = (fiscalCode: string) => String(700_000 + residents.indexOf(fiscalCode));

let identity: Awaited<ReturnType<typeof startIdentity>>;
let anagrafe: Awaited<ReturnType<typeof startAnagrafeFake>>;
let smtp: SmtpSink;
let telegram: FakeTelegram;
let dir: string;
let bus: EventBus;
const suffix = randomBytes(4).toString('hex');
const stream = `NOTIFIERCRASH_${suffix}`;
const root = `notifiercrash${suffix}`;
const children: ChildProcess[] = [];
/** What the children printed (warnings and errors), for failure messages. */
const output: string[] = [];

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
      telegramApiRoot: telegram.apiRoot,
      telegramToken: TOKEN,
      sandboxDir: join(dir, 'sandbox'),
    },
    { children, output },
  );
}

async function kill(child: ChildProcess) {
  await killChild(child);
  expect(child.signalCode).toBe('SIGKILL');
}

async function waitFor(check: () => boolean, timeout = 60_000) {
  await vi.waitFor(
    () => {
      if (!check()) {
        throw new Error(
          `timed out: ${telegram.sent.length} Telegram messages, ${smtp.mails.length} mails\n${output.join('').slice(-3000)}`,
        );
      }
    },
    { timeout, interval: 20 },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notifier-crash-'));
  [identity, anagrafe, smtp, telegram] = await Promise.all([
    startIdentity(
      residents.map((fiscalCode, i) => ({ fiscalCode, email: `c${i}@example.org`, emailVerified: true })),
    ),
    startAnagrafeFake({ Z9: residents }),
    startSmtpSink(),
    startFakeTelegram({ token: TOKEN, perSecond: 100, burst: 30 }),
  ]);
  await identity.identity.database
    .fork({ comune: COMUNE })
    .execute(`update citizen set telegram_chat_id = 'linked', telegram_linked_at = ?`, [
      new Date().toISOString(),
    ]);
  const database = await createDatabase({
    service: 'notifier',
    driver: 'sqlite',
    sqlitePath: join(dir, 'notifier.db'),
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
  });
  await database.migrate();
  await seedNotifier(database, {
    comune: COMUNE,
    telegramChats: residents.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
  });
  await database.close();
  bus = await createNatsBus({
    servers: NATS,
    stream,
    subjectRoot: root,
    logger: createLogger({ name: 't', level: 'silent' }),
  });
}, 120_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await bus?.close();
  const nc = await connect({ servers: NATS });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
  await Promise.all([identity?.close(), anagrafe?.close(), smtp?.close(), telegram?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('SIGKILL during a fan-out, three times: every recipient is served once per channel', async () => {
  let run = startChild();
  await run.ready;
  const event = createEvent('alert.issued', {
    comune: COMUNE,
    subject: 'alert-crash',
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: 'alert-crash',
      hazard: 'wind',
      colour: 'red',
      zones: ['Z9'],
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo: '2026-11-24T12:00:00+01:00',
      critical: true,
    },
  });
  await bus.publish(event);
  for (const threshold of [40, 120, 200]) {
    await waitFor(() => telegram.sent.length >= threshold);
    await kill(run.child);
    run = startChild();
    await run.ready;
  }

  const database = await createDatabase({
    service: 'notifier',
    driver: 'sqlite',
    sqlitePath: join(dir, 'notifier.db'),
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
  });
  try {
    const rows = await vi.waitFor(
      async () => {
        const found = await database.forkUnscoped().find(DeliveryEntity, { eventId: event.id });
        const done =
          found.length === 2 * N && found.every((row) => ['sent', 'uncertain', 'dead'].includes(row.status));
        if (!done) throw new Error('the fan-out did not finish');
        return found;
      },
      { timeout: 90_000, interval: 200 },
    );

    // Nothing lost: one delivery per resident and channel, none dead.
    expect(rows.filter((r) => r.channel === 'telegram')).toHaveLength(N);
    expect(rows.filter((r) => r.channel === 'email')).toHaveLength(N);
    expect(rows.filter((r) => r.status === 'dead')).toEqual([]);

    // Telegram: never twice. A send interrupted by the kill is "uncertain" (at most once), at most
    // one per concurrent slot and kill; every "sent" one arrived exactly once.
    const received = new Map<string, number>();
    for (const message of telegram.sent)
      received.set(message.chatId, (received.get(message.chatId) ?? 0) + 1);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    const uncertain = rows.filter((r) => r.channel === 'telegram' && r.status === 'uncertain');
    expect(uncertain.length).toBeLessThanOrEqual(3 * 8);
    for (const row of rows.filter((r) => r.channel === 'telegram' && r.status === 'sent')) {
      expect(received.get(row.address)).toBe(1);
    }
    expect(telegram.tooManyRequests).toBe(0);

    // Email: every address got the message; a send interrupted by a kill is sent again with the
    // same Message-ID, so each address holds exactly one distinct message.
    expect(rows.filter((r) => r.channel === 'email').every((r) => r.status === 'sent')).toBe(true);
    const idsByAddress = new Map<string, Set<string>>();
    for (const mail of smtp.mails) {
      for (const to of mail.envelope.to) {
        const ids = idsByAddress.get(to) ?? new Set<string>();
        ids.add(mail.parsed.messageId ?? '');
        idsByAddress.set(to, ids);
      }
    }
    expect(idsByAddress.size).toBe(N);
    expect([...idsByAddress.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(smtp.mails.length - N).toBeLessThanOrEqual(3 * 8);
  } finally {
    await database.close();
  }
  const exited = new Promise((resolve) => run.child.once('exit', resolve));
  run.child.kill('SIGTERM');
  await exited;
}, 240_000);
