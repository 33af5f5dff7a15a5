import { generatePopulation } from '@sportello/hub';
import { startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

/**
 * "Citizens cannot link Telegram through the hub": the hub started as a user starts it, with a bot
 * token and nothing else about the bot. The hub asks the Bot API who the bot is, identity builds the
 * deep link on its username, the citizen opens it (`/start <token>` in the chat), the notifier's bot
 * (long polling: no public origin) links the chat and answers in it, and the citizen's account shows
 * Telegram linked.
 * No demo chat is seeded for a real bot.
 */

const HOUSEHOLDS = 40;
const BOT_TOKEN = '7000000003:AAtelegramLinkE2eBotTokenSportello';
const BOT_USERNAME = 'borgo_sereno_bot';

describe.each(['embedded', 'distributed'] as const)(
  'linking Telegram from the deep link (%s mode)',
  (mode) => {
    let hub: RunningHub;
    let telegram: FakeTelegram;
    let citizen: string;

    beforeAll(async () => {
      const comune = mode === 'embedded' ? '999001' : randomComune();
      const { people } = generatePopulation({ households: HOUSEHOLDS, istat: comune });
      citizen = people[0]!.fiscalCode;
      telegram = await startFakeTelegram({ token: BOT_TOKEN, username: BOT_USERNAME });
      hub = await startHub(mode, {
        households: HOUSEHOLDS,
        comune,
        env: {
          TELEGRAM_BOT_TOKEN: BOT_TOKEN,
          TELEGRAM_API_ROOT: telegram.apiRoot,
          TELEGRAM_WEBHOOK_SECRET: 'telegram-link-e2e-secret',
        },
      });
    }, 330_000);

    afterAll(async () => {
      await hub?.stop();
      await telegram?.close();
    }, 90_000);

    it("gives the citizen a deep link to the hub's bot, links the chat from /start, and confirms it in the chat", async () => {
      expect(telegram.calls['getMe']).toBeGreaterThanOrEqual(1);
      const token = (await devToken(hub.identity, { subject: citizen })).access_token;
      const me = async () =>
        (await graphql<{ me: { telegramLinked: boolean } }>(hub.api, '{ me { telegramLinked } }', { token }))
          .data?.me;
      // A real bot: no fake chat was seeded for anyone.
      expect(await me()).toEqual({ telegramLinked: false });

      const link = await graphql<{ createTelegramLink: { url: string } }>(
        hub.api,
        'mutation { createTelegramLink { url } }',
        { token },
      );
      expect(link.errors).toBeUndefined();
      const url = new URL(link.data!.createTelegramLink.url);
      expect(`${url.origin}${url.pathname}`).toBe(`https://t.me/${BOT_USERNAME}`);
      const start = url.searchParams.get('start')!;

      const chatId = 555_000_111;
      await telegram.userSends(chatId, `/start ${start}`, { languageCode: 'it' });
      const [welcome] = await telegram.waitForSent(1, chatId, 30_000);
      expect(welcome!.plainText).toMatch(/Fatto|collegat/i);
      await expect.poll(me, { timeout: 15_000 }).toEqual({ telegramLinked: true });
    }, 120_000);
  },
);
