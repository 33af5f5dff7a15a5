import { ConfigError } from '@sportello/platform';
import { startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.js';
import { planTopology, serviceEnvironment, withTelegramBot } from './topology.js';

const TOKEN = '123456:hub-test-token';
let telegram: FakeTelegram;

beforeAll(async () => {
  telegram = await startFakeTelegram({ token: TOKEN, username: 'comune_borgo_bot' });
});
afterAll(async () => {
  await telegram.close();
});

const hubConfig = (env: Record<string, string> = {}) =>
  loadHubConfig({
    SMTP_HOST: 'smtp.example.org',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: 'hub-test-secret',
    TELEGRAM_API_ROOT: telegram.apiRoot,
    ...env,
  });

describe("the hub's Telegram bot", () => {
  it("asks Telegram the bot's username and gives it (never the token) to identity, in both modes", async () => {
    const config = await withTelegramBot(hubConfig());
    expect(config.telegram?.botUsername).toBe('comune_borgo_bot');
    expect(telegram.calls['getMe']).toBe(1);
    for (const mode of ['embedded', 'distributed'] as const) {
      const topology = planTopology(config, mode, {});
      const identity = serviceEnvironment('identity', config, topology);
      expect(identity['TELEGRAM_BOT_USERNAME']).toBe('comune_borgo_bot');
      expect(identity).not.toHaveProperty('TELEGRAM_BOT_TOKEN');
      expect(serviceEnvironment('notifier', config, topology)['TELEGRAM_BOT_TOKEN']).toBe(TOKEN);
      // A real bot: the demo's fake linked chats are not seeded.
      expect(topology.demoTelegramChats).toBe(false);
    }
  });

  it('uses TELEGRAM_BOT_USERNAME as set, without asking', async () => {
    const before = telegram.calls['getMe'] ?? 0;
    const config = await withTelegramBot(hubConfig({ TELEGRAM_BOT_USERNAME: 'set_by_hand_bot' }));
    expect(config.telegram?.botUsername).toBe('set_by_hand_bot');
    expect(telegram.calls['getMe'] ?? 0).toBe(before);
  });

  it('refuses a token Telegram does not know, naming the variable', async () => {
    const config = loadHubConfig({
      SMTP_HOST: 'smtp.example.org',
      TELEGRAM_BOT_TOKEN: '999:unknown',
      TELEGRAM_WEBHOOK_SECRET: 'hub-test-secret',
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    const refused = withTelegramBot(config);
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/TELEGRAM_BOT_TOKEN: Telegram does not know this bot/);
  });

  it('has Telegram call the public origin (webhook) when PUBLIC_URL is set, and polls otherwise', async () => {
    const polling = await withTelegramBot(hubConfig());
    expect(
      serviceEnvironment('notifier', polling, planTopology(polling, 'distributed', {})),
    ).not.toHaveProperty('TELEGRAM_WEBHOOK_URL');
    const webhook = await withTelegramBot(hubConfig({ PUBLIC_URL: 'https://servizi.comune.example.it' }));
    expect(
      serviceEnvironment('notifier', webhook, planTopology(webhook, 'distributed', {}))[
        'TELEGRAM_WEBHOOK_URL'
      ],
    ).toBe('https://servizi.comune.example.it/telegram/webhook');
  });

  it('keeps the sandbox, and its demo chats, without a token', () => {
    const config = loadHubConfig({ SMTP_HOST: 'smtp.example.org' });
    expect(planTopology(config, 'embedded', {}).demoTelegramChats).toBe(true);
    expect(serviceEnvironment('identity', config, planTopology(config, 'embedded', {}))).not.toHaveProperty(
      'TELEGRAM_BOT_USERNAME',
    );
  });

  it('seeds the demo chats with a bot only when DEMO_TELEGRAM_CHATS asks (a test Bot API that knows them)', () => {
    const withBot = hubConfig({ DEMO_TELEGRAM_CHATS: 'true' });
    expect(planTopology(withBot, 'distributed', {}).demoTelegramChats).toBe(true);
    const sandboxWithout = loadHubConfig({ SMTP_HOST: 'smtp.example.org', DEMO_TELEGRAM_CHATS: '0' });
    expect(planTopology(sandboxWithout, 'embedded', {}).demoTelegramChats).toBe(false);
    expect(() => hubConfig({ DEMO_TELEGRAM_CHATS: 'yes' })).toThrow(/DEMO_TELEGRAM_CHATS/);
  });
});
