import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createEvent } from '@sportello/schema';
import { DeliveryEntity } from './entities/delivery.entity.js';
import { startCrashScenario, type CrashScenario } from './test-support/crash-children.js';
import { COMUNE, fiscalCodes } from './test-support/harness.js';

/**
 * "Killing the notifier mid fan-out and restarting serves every recipient once per channel." The
 * notifier runs as a real child process (tsx, workspace sources) on SQLite and NATS JetStream and is
 * killed with SIGKILL several times while it sends.
 */

const TOKEN = '654321:crash-test-token';
const N = 300;
const residents = fiscalCodes(N, 5000);
const chatOf = (fiscalCode: string) => String(700_000 + residents.indexOf(fiscalCode));

let scenario: CrashScenario;

async function kill(child: ChildProcess) {
  await scenario.kill(child);
  expect(child.signalCode).toBe('SIGKILL');
}

async function waitFor(check: () => boolean, timeout = 60_000) {
  await vi.waitFor(
    () => {
      if (!check()) {
        throw new Error(
          `timed out: ${scenario.telegram.sent.length} Telegram messages, ${scenario.smtp.mails.length} mails\n${scenario.output.join('').slice(-3000)}`,
        );
      }
    },
    { timeout, interval: 20 },
  );
}

beforeAll(async () => {
  scenario = await startCrashScenario({
    name: 'crash',
    telegramToken: TOKEN,
    residents,
    emailOf: (i) => `c${i}@example.org`,
    zones: { Z9: residents },
    telegramChats: residents.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
  });
}, 120_000);

afterAll(async () => {
  await scenario?.close();
});

it('SIGKILL during a fan-out, three times: every recipient is served once per channel', async () => {
  let run = scenario.startChild();
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
  await scenario.bus.publish(event);
  for (const threshold of [40, 120, 200]) {
    await waitFor(() => scenario.telegram.sent.length >= threshold);
    await kill(run.child);
    run = scenario.startChild();
    await run.ready;
  }

  const rows = await vi.waitFor(
    async () => {
      const found = await scenario.database.forkUnscoped().find(DeliveryEntity, { eventId: event.id });
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
  for (const message of scenario.telegram.sent)
    received.set(message.chatId, (received.get(message.chatId) ?? 0) + 1);
  expect([...received.values()].every((n) => n === 1)).toBe(true);
  const uncertain = rows.filter((r) => r.channel === 'telegram' && r.status === 'uncertain');
  expect(uncertain.length).toBeLessThanOrEqual(3 * 8);
  for (const row of rows.filter((r) => r.channel === 'telegram' && r.status === 'sent')) {
    expect(received.get(row.address)).toBe(1);
  }
  expect(scenario.telegram.tooManyRequests).toBe(0);

  // Email: every address got the message; a send interrupted by a kill is sent again with the
  // same Message-ID, so each address holds exactly one distinct message.
  expect(rows.filter((r) => r.channel === 'email').every((r) => r.status === 'sent')).toBe(true);
  const idsByAddress = scenario.messageIdsByAddress();
  expect(idsByAddress.size).toBe(N);
  expect([...idsByAddress.values()].every((ids) => ids.size === 1)).toBe(true);
  expect(scenario.smtp.mails.length - N).toBeLessThanOrEqual(3 * 8);
  await scenario.stop(run.child);
}, 240_000);
