import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import { createTelegramBot, type TelegramBot } from './telegram-bot.js';

const TOKEN = '424242:bot-side_token';
const SECRET = 'webhook-Secret_123';

/** A tiny in-memory link store standing in for the identity service's one-time tokens. */
function linkStore() {
  const pending = new Map([['Zq9-linkToken_1', 'citizen-1']]);
  const linked = new Map<number, string>();
  return {
    linked,
    linkCalls: 0,
    async linkChat(token: string, chatId: number): Promise<'linked' | 'invalid'> {
      this.linkCalls += 1;
      const citizen = pending.get(token);
      if (!citizen) return 'invalid';
      pending.delete(token);
      linked.set(chatId, citizen);
      return 'linked';
    },
    async unlinkChat(chatId: number): Promise<void> {
      linked.delete(chatId);
    },
  };
}

describe('Telegram bot over a webhook', () => {
  let telegram: FakeTelegram;
  let bot: TelegramBot;
  let server: Server;
  let webhookUrl: string;
  const store = linkStore();

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    bot = createTelegramBot({
      token: TOKEN,
      apiRoot: telegram.apiRoot,
      webhookSecret: SECRET,
      linkChat: (token, chatId) => store.linkChat(token, chatId),
      unlinkChat: (chatId) => store.unlinkChat(chatId),
      settingsUrl: 'https://sportello.example.it/preferenze',
    });
    server = createServer((req, res) => void bot.handleWebhook(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
    await bot.setWebhook(webhookUrl);
  });
  afterAll(async () => {
    server.close();
    await telegram.close();
  });

  it('registers the webhook with the secret', () => {
    expect(telegram.webhook).toEqual({ url: webhookUrl, secretToken: SECRET });
  });

  it('answers 401 without the secret header and 403 with a wrong one, handling nothing', async () => {
    const update = JSON.stringify({
      update_id: 1,
      message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: '/stop' },
    });
    const missing = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: update,
    });
    const wrong = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret' },
      body: update,
    });
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(403);
    expect(telegram.calls.sendMessage ?? 0).toBe(0);
  });

  it("links a chat with /start <one-time token> and confirms in the user's language", async () => {
    const { status } = await telegram.userSends(501, '/start Zq9-linkToken_1', { languageCode: 'en' });
    expect(status).toBe(200);
    expect(store.linked.get(501)).toBe('citizen-1');
    const [reply] = await telegram.waitForSent(1, 501);
    expect(reply!.plainText).toMatch(/^Done: from now on/);
  });

  it('refuses a used token and never passes a malformed payload on', async () => {
    const callsBefore = store.linkCalls;
    await telegram.userSends(502, '/start Zq9-linkToken_1');
    expect(store.linkCalls).toBe(callsBefore + 1);
    await telegram.userSends(503, `/start ${'x'.repeat(65)}`);
    await telegram.userSends(504, '/start bad$token');
    expect(store.linkCalls).toBe(callsBefore + 1);
    for (const chat of [502, 503, 504]) {
      const [reply] = await telegram.waitForSent(1, chat);
      expect(reply!.plainText).toMatch(/non è valido/);
    }
    expect(store.linked.has(502)).toBe(false);
  });

  it('unlinks on /stop and points to the preferences on /settings', async () => {
    const stop = await telegram.userSends(501, '/stop', { languageCode: 'en' });
    expect(stop.status).toBe(200);
    expect(store.linked.has(501)).toBe(false);
    const replies = await telegram.waitForSent(2, 501);
    expect(replies[1]!.plainText).toMatch(/no longer receive/);
    expect(telegram.tooManyRequests).toBe(0);
    await telegram.userSends(505, '/settings', { languageCode: 'de' });
    const [settings] = await telegram.waitForSent(1, 505);
    expect(settings!.plainText).toContain('https://sportello.example.it/preferenze');
  });

  it('handles a redelivered update once', async () => {
    const { updateId } = await telegram.userSends(506, '/settings');
    await telegram.waitForSent(1, 506);
    expect(await telegram.redeliver(updateId)).toBe(200);
    expect(await telegram.redeliver(updateId)).toBe(200);
    // A later update of the chat is answered after the repeats: once its reply is there, a reply to
    // a repeat would be too.
    await telegram.userSends(506, '/settings', { languageCode: 'de' });
    const [first, next, ...more] = await telegram.waitForSent(2, 506);
    expect(more).toHaveLength(0);
    expect(first!.plainText).toContain('preferenze');
    expect(next!.plainText).not.toEqual(first!.plainText);
  });

  it('rejects a secret Telegram would not accept', () => {
    expect(() =>
      createTelegramBot({
        token: TOKEN,
        webhookSecret: 'has spaces',
        linkChat: async () => 'invalid',
        unlinkChat: async () => {},
        settingsUrl: 'https://x.example',
      }),
    ).toThrow(/webhookSecret/);
  });
});

describe('Telegram bot in polling mode', () => {
  it('receives updates through getUpdates', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN });
    const store = linkStore();
    const bot = createTelegramBot({
      token: TOKEN,
      apiRoot: telegram.apiRoot,
      webhookSecret: SECRET,
      linkChat: (token, chatId) => store.linkChat(token, chatId),
      unlinkChat: (chatId) => store.unlinkChat(chatId),
      settingsUrl: 'https://sportello.example.it/preferenze',
    });
    try {
      await bot.startPolling();
      await telegram.userSends(601, '/start Zq9-linkToken_1');
      await telegram.waitForSent(1, 601);
      expect(store.linked.get(601)).toBe('citizen-1');
    } finally {
      await bot.close();
      await telegram.close();
    }
  });
});

describe('Telegram bot update loop under failures', () => {
  function captured() {
    const entries: Array<{ msg: string; retryInMs?: number; failures?: number }> = [];
    const logger = {
      info: (fields: object, msg: string) => void entries.push({ ...fields, msg }),
      warn: (fields: object, msg: string) => void entries.push({ ...fields, msg }),
      error: (fields: object, msg: string) => void entries.push({ ...fields, msg }),
    };
    return { entries, logger: logger as never };
  }

  it('restarts a failing polling loop with back-off, says so, and goes on handling updates', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN });
    const store = linkStore();
    const { entries, logger } = captured();
    const bot = createTelegramBot(
      {
        token: TOKEN,
        apiRoot: telegram.apiRoot,
        webhookSecret: SECRET,
        linkChat: (token, chatId) => store.linkChat(token, chatId),
        unlinkChat: (chatId) => store.unlinkChat(chatId),
        settingsUrl: 'https://sportello.example.it/preferenze',
        retryBaseMs: 50,
      },
      { logger },
    );
    try {
      await bot.startPolling();
      expect(bot.status.mode).toBe('polling');
      telegram.failNext('getUpdates', 3, 502);
      await telegram.userSends(701, '/settings');
      await telegram.waitForSent(1, 701);

      // The next three polls fail; the update sent meanwhile is handled once the loop is back.
      await telegram.userSends(702, '/start Zq9-linkToken_1');
      await telegram.waitForSent(1, 702);
      expect(store.linked.get(702)).toBe('citizen-1');
      const failures = entries.filter((entry) => entry.msg === 'telegram polling failed; restarting');
      expect(failures.map((entry) => entry.retryInMs)).toEqual([50, 100, 200]);
      expect(entries.some((entry) => entry.msg === 'telegram update loop recovered')).toBe(true);
      expect(bot.status).toMatchObject({ mode: 'polling', healthy: true, failures: 0, restarts: 3 });
    } finally {
      await bot.close();
      await telegram.close();
    }
  });

  it('keeps trying to register the webhook while Telegram fails, then registers it', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN });
    const { entries, logger } = captured();
    const bot = createTelegramBot(
      {
        token: TOKEN,
        apiRoot: telegram.apiRoot,
        webhookSecret: SECRET,
        linkChat: async () => 'invalid',
        unlinkChat: async () => {},
        settingsUrl: 'https://sportello.example.it/preferenze',
        retryBaseMs: 50,
      },
      { logger },
    );
    try {
      telegram.failNext('setWebhook', 2, 502);
      await bot.setWebhook('https://servizi.comune.example.it/telegram/webhook');
      await expect
        .poll(() => telegram.webhook?.url)
        .toBe('https://servizi.comune.example.it/telegram/webhook');
      // Telegram stored the URL before its answer reached the bot: the bot is healthy once it has it.
      await expect.poll(() => bot.status).toMatchObject({ mode: 'webhook', healthy: true });
      expect(
        entries.filter((entry) => entry.msg === 'telegram webhook could not be registered; retrying'),
      ).toHaveLength(2);
    } finally {
      await bot.close();
      await telegram.close();
    }
  });
});
