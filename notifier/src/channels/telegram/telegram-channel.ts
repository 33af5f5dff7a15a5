import type { Lane } from '@sportello/schema';
import { Telegraf } from 'telegraf';
import {
  delivered,
  failed,
  wrongRecipient,
  type Channel,
  type OutgoingMessage,
  type SendHooks,
  type SendResult,
} from '../channel.js';
import { createRateLimiter, type RateLimiter } from '../../pacing/rate-limiter.js';
import { createWirePacer, type WirePacer } from '../../pacing/wire-pacer.js';
import { createLaneSlots } from '../lanes.js';
import { classifyTelegramError } from './classify-telegram-error.js';
import { escapeMarkdownV2, truncateMarkdownV2 } from './markdown-v2.js';

/** Settings of the Telegram channel. */
export interface TelegramChannelConfig {
  /** Bot token from BotFather. */
  token: string;
  /** Bot API base URL. @default https://api.telegram.org */
  apiRoot?: string;
  /** Longest wait for an answer; past it the send is `uncertain`. @default 15_000 */
  requestTimeoutMs?: number;
}

/** Optional collaborators of the Telegram channel. */
export interface TelegramChannelDeps {
  /**
   * Paces every request at the moment it leaves, keyed by chat. Share it with the bot: Telegram
   * counts replies and notifications against the same limits. @default {@link createTelegramPacer}()
   */
  pacer?: WirePacer;
  /**
   * The pacer's least time between the answer to a chat's message and its next one: a send the core
   * follows ({@link SendHooks}) waits for its chat's turn before it counts as started. @default 1000
   */
  perChatIntervalMs?: number;
}

/** A post for a public channel (e.g. every follower of the comune's alert channel). */
export interface ChannelPost {
  /** The channel, as `@username` or numeric id. */
  channelId: string | number;
  /** MarkdownV2 text; when absent `text` is escaped. */
  markdownV2?: string;
  text: string;
  /** Deliver without sound. @default false */
  silent?: boolean;
}

/** The Telegram channel. */
export interface TelegramChannel extends Channel {
  readonly name: 'telegram';
  readonly callsLeaving: true;
  /** Posts once to a public channel: one post reaches every follower, without per-user limits. */
  sendToChannel(post: ChannelPost, hooks?: SendHooks): Promise<SendResult>;
}

/** What a send stopped before its request left returns: the message never reached Telegram. */
function notSent(): SendResult {
  return failed({ kind: 'retryable', reason: 'not sent: stopped while waiting for its slot' });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return unlessAborted(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Telegram's published limits, kept at the wire: at most 30 requests leave in any rolling second
 * (with a 100 ms margin), and a chat's next message leaves a second after the previous one was
 * answered, one at a time, in order.
 */
export function createTelegramPacer(
  overrides: { perSecond?: number; perChatPerSecond?: number; maxChats?: number } = {},
): WirePacer {
  return createWirePacer({
    perSecond: overrides.perSecond ?? 30,
    perKeyIntervalMs: Math.ceil(1000 / (overrides.perChatPerSecond ?? 1)),
    maxKeys: overrides.maxChats ?? 10_000,
  });
}

/**
 * Telegram's limits as a slot-reserving limiter (~30 messages/s per bot and 1 message/s per chat):
 * paces callers before they commit to a send; the requests themselves are paced at the wire
 * ({@link createTelegramPacer}).
 */
export function createTelegramLimiter(
  overrides: { perSecond?: number; perChatPerSecond?: number; maxChats?: number } = {},
): RateLimiter {
  return createRateLimiter({
    global: { ratePerSecond: overrides.perSecond ?? 30 },
    perKey: { ratePerSecond: overrides.perChatPerSecond ?? 1 },
    maxKeys: overrides.maxChats ?? 10_000,
  });
}

/** Chats whose turn the channel remembers before it forgets those whose turn has come. */
const MAX_CHAT_TURNS = 10_000;

/** Alerts waiting in the pacer's queue at once, besides the one place every lane shares. */
const ALERT_PLACES = 4;

/**
 * Creates the Telegram sending channel. Makes no request until the first send.
 *
 * The bot's 30 messages a second go to alerts first. A message of another lane enters the pacer's
 * queue only once its chat could take it, and only one such message waits there at a time; alerts
 * have places of their own besides and take the shared one first. An alert handed over during a
 * reminder run therefore leaves after at most one reminder, however many are in hand, and while
 * alerts wait no reminder enters. Each chat still gets one message a second.
 */
export function createTelegramChannel(
  config: TelegramChannelConfig,
  deps: TelegramChannelDeps = {},
): TelegramChannel {
  const telegram = new Telegraf(config.token, {
    telegram: { ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}), webhookReply: false },
  }).telegram;
  const pacer = deps.pacer ?? createTelegramPacer();
  const timeoutMs = config.requestTimeoutMs ?? 15_000;
  /** Places in the pacer's queue, most urgent lane first; given back as the request leaves. */
  const places = createLaneSlots({ shared: 1, reserved: ALERT_PLACES });
  const perChatIntervalMs = deps.perChatIntervalMs ?? 1000;
  /** Per chat, when its next message may leave: its last one's answer and the interval after it. */
  const chatTurns = new Map<string, number>();

  /** Waits for the chat's turn (the channel's own messages; the bot's replies are the pacer's). */
  async function chatTurn(key: string, signal: AbortSignal | undefined): Promise<void> {
    for (
      let wait = (chatTurns.get(key) ?? 0) - Date.now();
      wait > 0;
      wait = (chatTurns.get(key) ?? 0) - Date.now()
    ) {
      await pause(wait, signal);
    }
    chatTurns.delete(key);
  }

  /** The chat's next message waits `perChatIntervalMs` from now; chats whose turn came are forgotten. */
  function nextTurn(key: string): void {
    const now = Date.now();
    if (chatTurns.size >= MAX_CHAT_TURNS) {
      for (const [chat, at] of chatTurns) if (at <= now) chatTurns.delete(chat);
    }
    chatTurns.set(key, now + perChatIntervalMs);
  }

  async function post(
    chatId: string | number,
    markdownV2: string,
    silent: boolean,
    lane: Lane | undefined,
    hooks: SendHooks | undefined,
  ): Promise<SendResult> {
    const key = String(chatId);
    const signal = hooks?.signal;
    /** The send counts as started (its attempt recorded): from now on it runs to its answer. */
    let started = hooks === undefined;
    try {
      // Others wait for their chat outside the queue: a chat's one message a second holds nobody back.
      if (lane !== 'critical') await unlessAborted(pacer.ready(key), signal);
      // The chat's one message a second is waited for before the send counts as started: a crash
      // or a stop meanwhile leaves it plainly pending. What is left is a moment in the bot's queue.
      if (hooks) {
        await chatTurn(key, signal);
        if (!(await hooks.leaving())) return notSent();
      }
      started = true;
      const place = await places.acquire(lane);
      let sent;
      try {
        sent = await pacer.run(key, () => {
          place.release();
          return telegram.callApi(
            'sendMessage',
            {
              chat_id: chatId,
              text: truncateMarkdownV2(markdownV2),
              parse_mode: 'MarkdownV2',
              disable_notification: silent,
              link_preview_options: { is_disabled: true },
            },
            // telegraf types its signal with a polyfill's class; node-fetch takes Node's own.
            { signal: AbortSignal.timeout(timeoutMs) as never },
          );
        });
      } finally {
        place.release();
        nextTurn(key);
      }
      return delivered(`${sent.chat.id}:${sent.message_id}`);
    } catch (error) {
      if (!started && signal?.aborted) return notSent();
      const failure = classifyTelegramError(error);
      // Flood control names a wait for the whole bot: hold every later send back, not just this one.
      if (failure.retryAfterMs) pacer.holdOff(failure.retryAfterMs);
      return failed(failure);
    }
  }

  return {
    name: 'telegram',
    callsLeaving: true,
    send(message: OutgoingMessage, hooks?: SendHooks) {
      if (message.recipient.channel !== 'telegram')
        return Promise.resolve(wrongRecipient('telegram', message.recipient));
      const body = message.markdownV2 ?? escapeMarkdownV2(message.text);
      return post(message.recipient.chatId, body, message.silent ?? false, message.lane, hooks);
    },
    sendToChannel(channelPost, hooks) {
      return post(
        channelPost.channelId,
        channelPost.markdownV2 ?? escapeMarkdownV2(channelPost.text),
        channelPost.silent ?? false,
        // Only alerts and urgent ordinances are posted to the comune's public channel.
        'critical',
        hooks,
      );
    },
  };
}
