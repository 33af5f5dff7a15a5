import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEvent } from '@sportello/schema';
import { DeliveryEntity } from './entities/delivery.entity.js';
import { NotificationEntity } from './entities/notification.entity.js';
import { startCrashScenario, type CrashScenario } from './test-support/crash-children.js';
import { COMUNE, fiscalCodes } from './test-support/harness.js';

/**
 * "Recovery in seconds": the notifier runs as a real process with a deployment's settings (10 s
 * lease renewed while sending, 10 s ack wait renewed while planning, several events in flight) on
 * SQLite and NATS JetStream, and is killed with SIGKILL twice while it works on a red alert: once
 * while planning it (anagrafe holds every page after the first until the notifier is killed), once
 * while sending it. After each restart the alert must be complete within 30 s, every resident served
 * once per channel.
 */

const TOKEN = '654322:recovery-test-token';
const N = 1000;
const residents = fiscalCodes(N, 20_000);
const withTelegram = residents.filter((_, i) => i % 4 === 0);
const chatOf = (fiscalCode: string) => String(900_000 + residents.indexOf(fiscalCode));
/** The bound the issue sets: the alert complete within 30 s of the restart. */
const RECOVERY_BOUND_MS = 30_000;

let scenario: CrashScenario;
/** Anagrafe answers the pages after an audience's first once this is released. */
let releaseLaterPages!: () => void;
const laterPages = new Promise<void>((resolve) => (releaseLaterPages = resolve));

async function deliveries() {
  return scenario.database.forkUnscoped().find(DeliveryEntity, {}, { fields: ['status', 'channel'] });
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
          scenario.messageIdsByAddress().size === N
        );
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .toBe(true);
  return Date.now();
}

beforeAll(async () => {
  scenario = await startCrashScenario({
    name: 'recovery',
    telegramToken: TOKEN,
    residents,
    emailOf: (i) => `p${i}@example.org`,
    zones: { Z7: residents },
    anagrafe: { beforePage: (after) => (after === null ? undefined : laterPages) },
    telegramChats: withTelegram.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
    child: { smtpRatePerSecond: 400, defaults: true },
  });
}, 120_000);

/** The red alert on zone Z7 the test issues and then updates, valid until `validTo`. */
function redAlert(type: 'alert.issued' | 'alert.updated', validTo: string) {
  return createEvent(type, {
    comune: COMUNE,
    subject: 'alert-recovery',
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: 'alert-recovery',
      hazard: 'hydraulic',
      colour: 'red',
      zones: ['Z7'],
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo,
      phase: 'alarm',
      critical: true,
    },
  });
}

afterAll(async () => {
  releaseLaterPages();
  await scenario?.close();
});

it('a red alert killed mid-planning and mid-sending completes within 30 s of each restart, once per channel', async () => {
  let run = scenario.startChild();
  await run.ready;
  const alert = redAlert('alert.issued', '2026-11-24T12:00:00+01:00');
  await scenario.bus.publish(alert);

  // 1. Killed while planning: the first page's mails are going out, the next page is held back.
  await expect.poll(() => scenario.smtp.mails.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(50);
  await scenario.kill(run.child);
  const notification = await scenario.database
    .forkUnscoped()
    .findOneOrFail(NotificationEntity, { eventId: alert.id });
  expect(notification.plannedAt).toBeNull();
  expect(notification.plannedRecipients).toBeLessThan(N);
  releaseLaterPages();
  run = scenario.startChild();
  let restartedAt = await run.ready;
  const firstRecovery = (await complete(RECOVERY_BOUND_MS + 30_000)) - restartedAt;
  expect(firstRecovery).toBeLessThan(RECOVERY_BOUND_MS);

  // 2. Killed while sending: a second alert for the same residents, killed halfway through its mails.
  const update = redAlert('alert.updated', '2026-11-25T12:00:00+01:00');
  const mailsBefore = scenario.smtp.mails.length;
  await scenario.bus.publish(update);
  await expect
    .poll(() => scenario.smtp.mails.length - mailsBefore, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(N / 2);
  await scenario.kill(run.child);
  run = scenario.startChild();
  restartedAt = await run.ready;
  await expect
    .poll(
      async () => {
        const rows = await scenario.database
          .forkUnscoped()
          .find(DeliveryEntity, { eventId: update.id }, { fields: ['status'] });
        return rows.length > 0 && rows.every((row) => row.status === 'sent' || row.status === 'uncertain');
      },
      { timeout: RECOVERY_BOUND_MS + 30_000, interval: 100 },
    )
    .toBe(true);
  expect(Date.now() - restartedAt).toBeLessThan(RECOVERY_BOUND_MS);

  // Exactly once: every address got each alert under one Message-ID; no chat got a message twice.
  const all = await scenario.database
    .forkUnscoped()
    .find(DeliveryEntity, {}, { fields: ['status', 'channel', 'eventId'] });
  expect(all.filter((row) => row.channel === 'email')).toHaveLength(2 * N);
  expect(all.filter((row) => row.channel === 'email').every((row) => row.status === 'sent')).toBe(true);
  const byAddress = scenario.messageIdsByAddress();
  expect(byAddress.size).toBe(N);
  expect([...byAddress.values()].every((ids) => ids.size === 2)).toBe(true);
  const byChat = new Map<string, number>();
  for (const message of scenario.telegram.sent)
    byChat.set(message.chatId, (byChat.get(message.chatId) ?? 0) + 1);
  expect([...byChat.values()].every((count) => count <= 2)).toBe(true);
  // A send interrupted by the kill is uncertain (never sent twice): at most one per slot in flight.
  const uncertain = all.filter((row) => row.status === 'uncertain');
  expect(uncertain.length).toBeLessThanOrEqual(2 * 16);
  expect(scenario.telegram.tooManyRequests).toBe(0);

  await scenario.stop(run.child);
}, 300_000);
