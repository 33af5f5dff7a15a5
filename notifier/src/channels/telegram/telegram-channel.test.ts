import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../channel.js';
import { createWirePacer } from '../../pacing/wire-pacer.js';
import { startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import { createTelegramChannel, type TelegramChannel } from './telegram-channel.js';
import { escapeMarkdownV2, truncateMarkdownV2 } from './markdown-v2.js';

const TOKEN = '123456:TEST-token_abc';

function message(chatId: number | string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    deliveryId: `d-${chatId}`,
    comune: '001272',
    recipient: { channel: 'telegram', chatId },
    language: 'it',
    subject: 'Allerta',
    text: 'Allerta arancione per temporali.',
    ...overrides,
  };
}

const NASTY = [
  'Ordinanza n. 12/2025 (art. 50 c.5 TUEL) - chiusura scuole!',
  'Importo: 1.020,99 € + interessi = totale [vedi avviso] {IMU} #tributi',
  'a_b*c[d]e(f)g~h`i>j#k+l-m=n|o{p}q.r!s\\t',
  '*** ___ ``` ||| \\\\ >>>',
  'Emoji 🚨 and accents àèìòù ß and CJK 漢字',
];

describe('Telegram channel against the fake Bot API', () => {
  let telegram: FakeTelegram;
  let channel: TelegramChannel;

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    channel = createTelegramChannel({ token: TOKEN, apiRoot: telegram.apiRoot });
  });
  afterAll(() => telegram.close());

  it('escapes nasty text so Telegram parses it and shows it verbatim', async () => {
    for (const [i, text] of NASTY.entries()) {
      const result = await channel.send(message(1000 + i, { text }));
      expect(result, text).toMatchObject({ ok: true });
    }
    expect(telegram.sent.map((m) => m.plainText)).toEqual(NASTY);
    expect(telegram.sent.every((m) => m.parseMode === 'MarkdownV2')).toBe(true);
  });

  it('would be refused by Telegram without the escaping', async () => {
    for (const [i, text] of NASTY.slice(0, 4).entries()) {
      const result = await channel.send(message(1100 + i, { markdownV2: text }));
      expect(result, text).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
    }
  });

  it('sends rendered MarkdownV2 as is and reports chat:message as the provider id', async () => {
    const result = await channel.send(
      message(2000, {
        markdownV2: `*${escapeMarkdownV2('Allerta ROSSA')}*\n${escapeMarkdownV2('Scuole chiuse.')}`,
      }),
    );
    const [sent] = await telegram.waitForSent(1, 2000);
    expect(sent!.plainText).toBe('Allerta ROSSA\nScuole chiuse.');
    expect(result).toEqual({ ok: true, providerMessageId: `2000:${sent!.messageId}` });
  });

  it('truncates a text over 4096 visible characters without breaking escapes or entities', async () => {
    const long = `*${escapeMarkdownV2('Avviso importante. '.repeat(150))}* ${escapeMarkdownV2('Fine. '.repeat(500))}`;
    const truncated = truncateMarkdownV2(long);
    expect(truncated).not.toBe(long);
    const result = await channel.send(message(3000, { markdownV2: long }));
    expect(result.ok).toBe(true);
    const [sent] = await telegram.waitForSent(1, 3000);
    expect(sent!.plainText.length).toBeLessThanOrEqual(4096);
    expect(sent!.plainText.length).toBeGreaterThan(4000);
    expect(sent!.plainText.endsWith('…')).toBe(true);
  });

  it('keeps under 30 messages/s overall and 1/s per chat: 60 messages to 40 chats, no 429', async () => {
    const before = telegram.sent.length;
    const chats = Array.from({ length: 60 }, (_, i) => 5000 + (i % 40));
    const started = performance.now();
    const results = await Promise.all(chats.map((chat) => channel.send(message(chat))));
    const elapsed = performance.now() - started;
    expect(results.filter((r) => r.ok)).toHaveLength(60);
    expect(telegram.tooManyRequests).toBe(0);
    expect(telegram.sent.length - before).toBe(60);
    // 60 messages at 30/s need about two seconds; 20 chats get a second message a second apart.
    expect(elapsed).toBeGreaterThanOrEqual(1800);
    for (const chat of [5000, 5019]) {
      const times = telegram.sent.filter((m) => m.chatId === String(chat)).map((m) => m.at);
      expect(times).toHaveLength(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
    }
  });

  it("spends the bot's 30 messages a second on an alert first: it leaves after at most one more reminder", async () => {
    const before = telegram.sent.length;
    const reminders = Array.from({ length: 30 }, (_, i) =>
      channel.send(message(6000 + i, { lane: 'bulk', text: 'Promemoria: la rata TARI scade domani.' })),
    );
    // The reminders are on their way, 30 a second.
    await telegram.waitForSent(before + 3);
    const handedOver = telegram.sent.length - before;
    const alert = channel.send(
      message(6999, { lane: 'critical', text: 'Allerta rossa: evitare gli spostamenti.' }),
    );
    const results = await Promise.all([...reminders, alert]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(telegram.tooManyRequests).toBe(0);
    const order = telegram.sent.slice(before).map((sent) => sent.chatId);
    expect(order).toHaveLength(31);
    // Ahead of the alert: the reminders received when it was handed over, one already on its way, one queued.
    expect(order.indexOf('6999')).toBeLessThanOrEqual(handedOver + 2);
  });

  it('turns flood control into a retryable failure with the wait Telegram asked for', async () => {
    const unpaced = createTelegramChannel(
      { token: TOKEN, apiRoot: telegram.apiRoot },
      { pacer: createWirePacer({ perSecond: 10_000 }) },
    );
    const first = await unpaced.send(message(7000));
    const second = await unpaced.send(message(7000));
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, failure: { kind: 'retryable', retryAfterMs: 1000 } });
    expect(telegram.tooManyRequests).toBe(1);
  });

  it('classifies a blocked bot as permanent and asks to unlink the chat', async () => {
    telegram.blockChat(8000);
    const result = await channel.send(message(8000));
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent', unlinkRecipient: true } });
  });

  it('classifies "chat not found" as permanent', async () => {
    telegram.removeChat(8001);
    const result = await channel.send(message(8001));
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
    if (!result.ok) expect(result.failure.reason).toContain('chat not found');
  });

  it('classifies a message Telegram cannot parse as permanent', async () => {
    const result = await channel.send(message(8002, { markdownV2: 'Scuole chiuse.' }));
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
    if (!result.ok) {
      expect(result.failure.reason).toContain("can't parse entities");
      expect(result.failure.unlinkRecipient).toBeUndefined();
    }
  });

  it('classifies a rejected token as permanent', async () => {
    const wrong = createTelegramChannel({ token: '999:wrong', apiRoot: telegram.apiRoot });
    expect(await wrong.send(message(8003))).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
  });

  it('posts once to a public channel', async () => {
    const result = await channel.sendToChannel({
      channelId: '@comune_allerte',
      text: 'Allerta rossa: evitare gli spostamenti.',
    });
    expect(result.ok).toBe(true);
    const [post] = await telegram.waitForSent(1, '@comune_allerte');
    expect(post!.plainText).toBe('Allerta rossa: evitare gli spostamenti.');
  });

  it('refuses a message meant for another channel', async () => {
    const result = await channel.send(
      message(1, { recipient: { channel: 'email', address: 'a@example.org' } }),
    );
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
  });
});

describe('Telegram channel when the Bot API is unreachable', () => {
  it('is retryable', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN });
    const apiRoot = telegram.apiRoot;
    await telegram.close();
    const channel = createTelegramChannel({ token: TOKEN, apiRoot });
    expect(await channel.send(message(1))).toMatchObject({ ok: false, failure: { kind: 'retryable' } });
  });
});
