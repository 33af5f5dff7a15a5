import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '@sportello/platform';
import { startNotificationPeers, type NotificationPeers } from '@sportello/test-support';
import { createIoChannel } from '../channels/io/io-channel.js';
import { createTelegramChannel } from '../channels/telegram/telegram-channel.js';
import type { ChannelName } from '../channels/channel.js';
import { DeliveryAttemptEntity } from '../entities/delivery-attempt.entity.js';
import { DeliveryEntity } from '../entities/delivery.entity.js';
import { createRateLimiter } from '../pacing/rate-limiter.js';
import { createWirePacer } from '../pacing/wire-pacer.js';
import {
  emailDispatchChannel,
  notifierTestDatabase,
  testDispatcher,
  type Cleanups,
} from '../test-support/dispatch.js';
import { fiscalCodes } from '../test-support/harness.js';
import { DeliveryStore } from './delivery-store.js';
import type { Dispatcher, DispatchChannel } from './dispatcher.js';
import { planSyntheticAudience } from '@sportello/test-support/notifier';

/**
 * "Ambiguity handled on purpose": each provider accepts a message and its answer is lost (a 5xx, a
 * dropped connection). Email goes again under the same Message-ID; Telegram and App IO, which have
 * no idempotency key, leave the delivery `uncertain` for staff instead of sending it twice.
 */

const TOKEN = '313131:ambiguity-token';
const IO_KEY = 'io-key-for-ambiguity';
const [CITIZEN] = fiscalCodes(1, 30_000);
const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup extends Omit<NotificationPeers, 'close'> {
  database: Database;
  store: DeliveryStore;
  dispatcher: Dispatcher;
  eventId: string;
  status(channel: ChannelName): Promise<string>;
}

async function setup(): Promise<Setup> {
  const scratch = await notifierTestDatabase('sqlite', cleanups);
  const { smtp, telegram, io, close } = await startNotificationPeers({
    telegram: { token: TOKEN },
    io: { keys: [IO_KEY], profiles: { [CITIZEN!]: { senderAllowed: true } } },
  });
  cleanups.push(close);
  const { database } = scratch;
  const { eventId } = await planSyntheticAudience(database, { deliveries: 3 });
  // The synthetic IO recipient is made up: point it at a citizen the fake knows.
  await database
    .forkUnscoped()
    .nativeUpdate(DeliveryEntity, { eventId, channel: 'io' }, { address: CITIZEN!, fiscalCode: CITIZEN! });
  const pacer = createWirePacer({ perSecond: 30, perKeyIntervalMs: 1000 });
  const channels = new Map<ChannelName, DispatchChannel>([
    ['email', emailDispatchChannel(smtp, cleanups, { dispatch: { onUncertain: 'resend' } })],
    [
      'telegram',
      {
        channel: createTelegramChannel({ token: TOKEN, apiRoot: telegram.apiRoot }, { pacer }),
        pacer,
        keyOf: (row) => row.address,
        inOrder: true,
        onUncertain: 'hold',
      },
    ],
    [
      'io',
      {
        channel: createIoChannel({ resolveService: () => ({ baseUrl: io.baseUrl, apiKey: IO_KEY }) }),
        limiter: createRateLimiter({}),
        keyOf: (row) => row.comune,
        onUncertain: 'hold',
      },
    ],
  ]);
  const store = new DeliveryStore(database);
  const dispatcher = testDispatcher(database, channels, cleanups, {
    store,
    backoff: { baseMs: 10, maxMs: 20 },
  });
  const status = async (channel: ChannelName) =>
    (await database.forkUnscoped().findOneOrFail(DeliveryEntity, { eventId, channel }, { refresh: true }))
      .status;
  return { database, store, dispatcher, eventId, smtp, telegram, io, status };
}

describe('an answer lost after the provider took the message', () => {
  it('resends email under the same Message-ID, and leaves Telegram and App IO uncertain, sent once', async () => {
    const s = await setup();
    s.smtp.loseAnswers(1);
    s.telegram.loseAnswers(1, 500);
    s.io.loseAnswers(1);

    const first = await s.dispatcher.runOnce();
    expect(first).toMatchObject({ claimed: 3, sent: 0, retried: 1, uncertain: 2 });
    expect(await s.status('telegram')).toBe('uncertain');
    expect(await s.status('io')).toBe('uncertain');
    expect(await s.status('email')).toBe('retrying');

    // The retry is due at once (10 ms back-off): only email goes again.
    await expect
      .poll(async () => {
        await s.dispatcher.runOnce();
        return s.status('email');
      })
      .toBe('sent');
    const mails = await s.smtp.waitForMails(2);
    expect(mails).toHaveLength(2);
    expect(new Set(mails.map((mail) => mail.parsed.messageId)).size).toBe(1);
    // Telegram and IO have it once, and the dispatcher does not try again on its own.
    expect(s.telegram.sent).toHaveLength(1);
    expect(s.io.messages).toHaveLength(1);
    expect(await s.dispatcher.runOnce()).toMatchObject({ claimed: 0 });

    // Staff see them in the stats and may requeue them, knowing they may arrive twice.
    const counts = (await s.store.counts([s.eventId])).get(s.eventId)!;
    expect(counts.get('telegram')).toMatchObject({ uncertain: 1, sent: 0 });
    expect(counts.get('io')).toMatchObject({ uncertain: 1, sent: 0 });
    expect(await s.store.replayUncertain(s.eventId, '001272', 'telegram')).toBe(1);
    await s.dispatcher.runOnce();
    expect(await s.status('telegram')).toBe('sent');
    expect(await s.status('io')).toBe('uncertain');
  });

  it('counts a connection dropped after sending as uncertain on Telegram, and records the attempt so', async () => {
    const s = await setup();
    s.telegram.loseAnswers(1, 'drop');
    await s.dispatcher.runOnce();
    expect(await s.status('telegram')).toBe('uncertain');
    expect(s.telegram.sent).toHaveLength(1);
    const delivery = await s.database
      .forkUnscoped()
      .findOneOrFail(DeliveryEntity, { eventId: s.eventId, channel: 'telegram' });
    const attempts = await s.database.forkUnscoped().find(DeliveryAttemptEntity, { deliveryId: delivery.id });
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['uncertain']);
    expect(delivery.lastError).toMatch(/Telegram answer lost/);
  });
});

describe('failures before anything was sent', () => {
  it('are retried as before: a Telegram that cannot be reached, an IO profile check that fails', async () => {
    const s = await setup();
    s.io.outage({ status: 503, count: 1 });
    const first = await s.dispatcher.runOnce();
    expect(first.uncertain).toBe(0);
    expect(await s.status('io')).toBe('retrying');
    await expect
      .poll(async () => {
        await s.dispatcher.runOnce();
        return s.status('io');
      })
      .toBe('sent');
    expect(s.io.messages).toHaveLength(1);
  });
});
