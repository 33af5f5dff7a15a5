import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, createLogger, type EventBus } from '@sportello/platform';
import { startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import { createNotifier, type NotifierHandle } from '../notifier.js';
import { testConfig } from '../test-support/test-config.js';
import type { OutgoingMessage } from './channel.js';
import { CHANNEL_REGISTRY } from './registry.js';

const TOKEN = '424242:registry-test-token';

let dir: string | undefined;
let bus: EventBus | undefined;
let notifier: NotifierHandle | undefined;
let telegram: FakeTelegram | undefined;

afterEach(async () => {
  await notifier?.close();
  await bus?.close();
  await telegram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  [dir, bus, notifier, telegram] = [undefined, undefined, undefined, undefined];
});

async function startNotifier(
  withTelegram: FakeTelegram | undefined,
): Promise<{ url: string; sandbox: string }> {
  dir = await mkdtemp(join(tmpdir(), 'notifier-registry-'));
  bus = createInProcessBus();
  const sandbox = join(dir, 'sandbox');
  notifier = await createNotifier(
    testConfig({
      database: { driver: 'sqlite', url: join(dir, 'notifier.db') },
      sandboxDir: sandbox,
      ...(withTelegram
        ? {
            telegram: {
              token: TOKEN,
              apiRoot: withTelegram.apiRoot,
              webhookSecret: 'registry-secret',
              webhookUrl: null,
              publicChannel: null,
              ratePerSecond: 30,
              ratePerChatPerSecond: 1,
            },
          }
        : {}),
    }),
    { bus, logger: createLogger({ name: 'registry-test', level: 'silent' }), jwks: { keys: [] } },
  );
  return { url: await notifier.listen(0), sandbox };
}

function message(channel: 'email' | 'telegram'): OutgoingMessage {
  return {
    deliveryId: `registry-${channel}`,
    comune: '001272',
    recipient: channel === 'email' ? { channel, address: 'a@example.it' } : { channel, chatId: 42 },
    language: 'it',
    subject: 'Prova',
    text: 'Prova',
  };
}

describe('the channel registry', () => {
  it('lists exactly the email, Telegram and App IO channels, each in its own provider folder', async () => {
    expect(CHANNEL_REGISTRY.map((channel) => channel.name)).toEqual(['email', 'telegram', 'io']);
    await startNotifier(undefined);
    expect([...notifier!.channels.keys()]).toEqual(['email', 'telegram', 'io']);
  });

  it('starts a configured provider (the bot polls Telegram, messages reach it) and not an unconfigured one', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    const { url, sandbox } = await startNotifier(telegram);
    expect(notifier!.bot).toBeDefined();
    await expect.poll(() => telegram!.calls['getUpdates'] ?? 0).toBeGreaterThan(0);
    const webhook = await fetch(`${url}/telegram/webhook`, { method: 'POST', body: '{}' });
    expect(webhook.status).toBe(401);
    const sent = await notifier!.channels.get('telegram')!.send(message('telegram'));
    expect(sent.ok).toBe(true);
    expect(telegram.sent).toHaveLength(1);
    // Email has no SMTP server configured: the sandbox folder keeps its messages.
    const kept = await notifier!.channels.get('email')!.send(message('email'));
    expect(kept).toEqual({ ok: true, providerMessageId: 'sandbox:email:registry-email' });
    expect(await readdir(join(sandbox, 'email'))).toEqual(['registry-email.json']);
  });

  it('without a bot token runs no bot and mounts no webhook: Telegram messages stay in the sandbox', async () => {
    const { url, sandbox } = await startNotifier(undefined);
    expect(notifier!.bot).toBeUndefined();
    const webhook = await fetch(`${url}/telegram/webhook`, { method: 'POST', body: '{}' });
    expect(webhook.status).toBe(404);
    const kept = await notifier!.channels.get('telegram')!.send(message('telegram'));
    expect(kept).toEqual({ ok: true, providerMessageId: 'sandbox:telegram:registry-telegram' });
    expect(await readdir(join(sandbox, 'telegram'))).toEqual(['registry-telegram.json']);
  });
});
