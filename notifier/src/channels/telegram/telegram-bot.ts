import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { RateLimiter } from '../../pacing/rate-limiter.js';
import { repliesFor } from './bot-replies.js';
import { createTelegramLimiter } from './telegram-channel.js';

/** A deep-link payload Telegram accepts: up to 64 characters of `A-Za-z0-9_-`. */
const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
/** Telegram's own rule for `secret_token`. */
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_UPDATE_BYTES = 1024 * 1024;

/** Settings and callbacks of the citizen-facing bot. */
export interface TelegramBotConfig {
  token: string;
  /** Bot API base URL. @default https://api.telegram.org */
  apiRoot?: string;
  /**
   * The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every webhook call
   * (1-256 characters of `A-Za-z0-9_-`).
   */
  webhookSecret: string;
  /**
   * Links the chat to the citizen who created the one-time `token` (from a `t.me/<bot>?start=<token>`
   * deep link). Answers `'invalid'` for an unknown, expired or already used token.
   */
  linkChat(token: string, chatId: number): Promise<'linked' | 'invalid'>;
  /** Forgets the chat (the user sent /stop). */
  unlinkChat(chatId: number): Promise<void>;
  /** Where citizens manage their notification preferences (sent on /settings). */
  settingsUrl: string;
  /** How many update ids the webhook remembers to drop Telegram's redeliveries. @default 10000 */
  dedupeWindow?: number;
}

/** Optional collaborators of the bot. */
export interface TelegramBotDeps {
  /**
   * Paces replies, keyed by chat id. Share the sending channel's limiter: Telegram counts the bot's
   * replies and its notifications against the same limits. @default a new {@link createTelegramLimiter}()
   */
  limiter?: RateLimiter;
}

/** A running bot. */
export interface TelegramBot {
  /**
   * Node HTTP handler for Telegram's webhook calls: 401 without the secret header, 403 with a wrong
   * one, 200 once the update is handled (or was already handled), 500 when handling failed (Telegram
   * then retries). Mount it on the path given to {@link TelegramBot.setWebhook}.
   */
  handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Registers `url` with Telegram as the webhook, with the secret. */
  setWebhook(url: string): Promise<void>;
  /** Development mode: long-polls getUpdates instead of a webhook. Resolves once polling started. */
  startPolling(): Promise<void>;
  /** Stops polling, if running. */
  close(): Promise<void>;
}

/** Remembers the most recent update ids, oldest forgotten first. */
class RecentIds {
  private readonly ids = new Set<number>();
  constructor(private readonly capacity: number) {}
  has(id: number): boolean {
    return this.ids.has(id);
  }
  add(id: number): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}

function secretMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPDATE_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Creates the citizen-facing bot: `/start <token>` links a chat through a one-time deep-link token,
 * `/stop` unlinks it, `/settings` points to the preferences page. Does not contact Telegram until
 * {@link TelegramBot.setWebhook}, {@link TelegramBot.startPolling} or the first update.
 * @throws Error when `webhookSecret` breaks Telegram's rule for secret tokens.
 */
export function createTelegramBot(config: TelegramBotConfig, deps: TelegramBotDeps = {}): TelegramBot {
  if (!SECRET_TOKEN.test(config.webhookSecret)) {
    throw new Error('telegram bot: webhookSecret must be 1-256 characters of A-Za-z0-9_-');
  }
  const bot = new Telegraf(config.token, {
    telegram: { ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}), webhookReply: false },
  });
  const seen = new RecentIds(config.dedupeWindow ?? 10_000);
  const inFlight = new Set<number>();
  let polling: Promise<void> | undefined;
  const limiter = deps.limiter ?? createTelegramLimiter();

  async function reply(chatId: number, markdownV2: string): Promise<void> {
    await limiter.acquire(String(chatId));
    await bot.telegram.sendMessage(chatId, markdownV2, {
      parse_mode: 'MarkdownV2',
      link_preview_options: { is_disabled: true },
    });
  }

  // Let failures reach the webhook handler (500, Telegram retries) instead of telegraf's default,
  // which logs the whole update (personal data) and sets the process exit code.
  bot.catch((error) => {
    throw error;
  });

  bot.start(async (ctx) => {
    const replies = repliesFor(ctx.from.language_code);
    const payload = ctx.payload;
    if (payload === '') {
      await reply(ctx.chat.id, replies.welcome);
      return;
    }
    const outcome = START_PAYLOAD.test(payload) ? await config.linkChat(payload, ctx.chat.id) : 'invalid';
    await reply(ctx.chat.id, outcome === 'linked' ? replies.linked : replies.invalidLink);
  });
  bot.command('stop', async (ctx) => {
    await config.unlinkChat(ctx.chat.id);
    await reply(ctx.chat.id, repliesFor(ctx.from.language_code).stopped);
  });
  bot.command('settings', async (ctx) => {
    await reply(ctx.chat.id, repliesFor(ctx.from.language_code).settings(config.settingsUrl));
  });

  function answer(res: ServerResponse, status: number): void {
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? '' : String(status));
  }

  return {
    async handleWebhook(req, res) {
      if (req.method !== 'POST') return answer(res, 405);
      const header = req.headers['x-telegram-bot-api-secret-token'];
      if (typeof header !== 'string' || header === '') return answer(res, 401);
      if (!secretMatches(header, config.webhookSecret)) return answer(res, 403);
      const body = await readBody(req);
      if (body === undefined) return answer(res, 413);
      let update: Update;
      try {
        update = JSON.parse(body) as Update;
      } catch {
        return answer(res, 400);
      }
      if (typeof update?.update_id !== 'number') return answer(res, 400);
      const id = update.update_id;
      // Telegram redelivers an update until it gets a 2xx: handle each id once.
      if (seen.has(id) || inFlight.has(id)) return answer(res, 200);
      inFlight.add(id);
      try {
        await bot.handleUpdate(update);
        seen.add(id);
        answer(res, 200);
      } catch {
        answer(res, 500);
      } finally {
        inFlight.delete(id);
      }
    },
    async setWebhook(url) {
      await bot.telegram.setWebhook(url, {
        secret_token: config.webhookSecret,
        allowed_updates: ['message'],
      });
    },
    startPolling() {
      return new Promise<void>((resolve, reject) => {
        polling = bot
          .launch({ allowedUpdates: ['message'] }, () => resolve())
          .catch((error: unknown) => {
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    },
    async close() {
      if (!polling) return;
      bot.stop('close');
      await polling;
      polling = undefined;
    },
  };
}
