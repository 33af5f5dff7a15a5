import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '@sportello/platform';
import { DATABASE_DRIVERS, startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import { planSyntheticAudience } from '@sportello/test-support/notifier';
import {
  createTelegramChannel,
  createTelegramPacer,
  type TelegramChannel,
} from '../channels/telegram/telegram-channel.js';
import { DeliveryAttemptEntity } from '../entities/delivery-attempt.entity.js';
import { DeliveryEntity } from '../entities/delivery.entity.js';
import { notifierTestDatabase, testDispatcher, type Cleanups } from '../test-support/dispatch.js';
import { DeliveryStore, lanePriority } from './delivery-store.js';
import type { Dispatcher } from './dispatcher.js';

/**
 * An alert's Telegram message waits for its chat's slot (one message a second) before it leaves:
 * it counts as being sent only from then on, so a crash or a stop while it waits leaves it plainly
 * pending, sent once later, never uncertain.
 */

const TOKEN = '515151:slot-test-token';
/** The synthetic audience's first recipient's chat. */
const CHAT = '100000';
const LEASE_MS = 10_000;
const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A dispatcher on the Telegram channel, with the chats of the messages handed to the channel, in
 * order. A chat takes a message every 5 s here rather than every second: time enough to act while
 * one waits.
 */
function telegramDispatcher(database: Database, telegram: FakeTelegram) {
  const pacer = createTelegramPacer({ perChatPerSecond: 0.2 });
  const channel = createTelegramChannel(
    { token: TOKEN, apiRoot: telegram.apiRoot },
    { pacer, perChatIntervalMs: 5_000 },
  );
  const handed: string[] = [];
  const watched: TelegramChannel = {
    ...channel,
    send(message, hooks) {
      if (message.recipient.channel === 'telegram') handed.push(String(message.recipient.chatId));
      return channel.send(message, hooks);
    },
  };
  const dispatcher = testDispatcher(
    database,
    new Map([
      [
        'telegram',
        { channel: watched, pacer, keyOf: (row) => row.address, inOrder: true, onUncertain: 'hold' },
      ],
    ]),
    cleanups,
    { lanes: true, leaseMs: LEASE_MS },
  );
  return { dispatcher, handed };
}

/** Plans an alert's message to {@link CHAT} and tells the dispatcher, as the planner does. */
async function planAlert(database: Database, dispatcher: Dispatcher): Promise<string> {
  const { eventId } = await planSyntheticAudience(database, { deliveries: 1, channels: ['telegram'] });
  dispatcher.nudge(lanePriority('critical', 100), ['telegram']);
  return eventId;
}

/**
 * A chat that has just received a message, and an alert for it waiting for the chat's next slot
 * (its request in the pacer, the chat's second).
 */
async function alertWaitingForItsSlot(database: Database, telegram: FakeTelegram) {
  const first = telegramDispatcher(database, telegram);
  await first.dispatcher.start();
  await planAlert(database, first.dispatcher);
  await telegram.waitForSent(1, CHAT, 10_000);
  // The chat's first message has been answered: the alert handed over now waits for its turn.
  const eventId = await planAlert(database, first.dispatcher);
  await vi.waitFor(() => expect(first.handed.filter((chat) => chat === CHAT)).toHaveLength(2), {
    interval: 5,
  });
  return { ...first, eventId };
}

async function deliveryOf(database: Database, eventId: string) {
  const em = database.forkUnscoped();
  const delivery = await em.findOneOrFail(DeliveryEntity, { eventId });
  const attempts = await em.count(DeliveryAttemptEntity, { deliveryId: delivery.id });
  return { status: delivery.status, attempts };
}

describe.each(DATABASE_DRIVERS)("an alert waiting for its chat's slot on %s", (driver) => {
  it('is left pending by a crash, and sent once after it', async () => {
    const { database } = await notifierTestDatabase(driver, cleanups);
    const telegram = await startFakeTelegram({ token: TOKEN });
    cleanups.push(() => telegram.close());
    const { dispatcher, eventId } = await alertWaitingForItsSlot(database, telegram);

    // The process dies now: once its lease has run out, the delivery is recovered.
    const afterTheLease = new DeliveryStore(database, () => Date.now() + 2 * LEASE_MS);
    expect(await afterTheLease.recoverExpired([])).toEqual({ released: 1, uncertain: 0 });
    await dispatcher.stop();
    expect(await deliveryOf(database, eventId)).toEqual({ status: 'planned', attempts: 0 });

    // A new process does not know the chat's last message: Telegram may ask it to wait (a retry).
    const restarted = telegramDispatcher(database, telegram);
    await restarted.dispatcher.start();
    await vi.waitFor(async () => expect((await deliveryOf(database, eventId)).status).toBe('sent'), {
      timeout: 10_000,
    });
    expect(telegram.sent.filter((message) => message.chatId === CHAT)).toHaveLength(2);
  }, 30_000);

  it('is handed back unsent by a stop, at once, and sent once on the next start', async () => {
    const { database } = await notifierTestDatabase(driver, cleanups);
    const telegram = await startFakeTelegram({ token: TOKEN });
    cleanups.push(() => telegram.close());
    const { dispatcher, eventId } = await alertWaitingForItsSlot(database, telegram);

    const stopping = performance.now();
    await dispatcher.stop();
    const stopMs = performance.now() - stopping;
    console.info(`${driver}: stopped in ${Math.round(stopMs)} ms with an alert waiting for its slot`);
    expect(await deliveryOf(database, eventId)).toEqual({ status: 'planned', attempts: 0 });
    expect(telegram.sent.filter((message) => message.chatId === CHAT)).toHaveLength(1);

    await dispatcher.start();
    await vi.waitFor(async () => expect((await deliveryOf(database, eventId)).status).toBe('sent'), {
      timeout: 10_000,
    });
    expect(telegram.sent.filter((message) => message.chatId === CHAT)).toHaveLength(2);
  }, 30_000);
});
