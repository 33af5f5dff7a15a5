import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from 'pino';
import type { WirePacer } from '../../pacing/wire-pacer.js';
import { repliesFor } from './bot-replies.js';
import { createTelegramPacer } from './telegram-channel.js';

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
  /** First pause after the update loop (polling, or registering the webhook) fails; doubles up to 30 s. @default 1_000 */
  retryBaseMs?: number;
}

/** Optional collaborators of the bot. */
export interface TelegramBotDeps {
  /**
   * Paces replies at the wire, keyed by chat id. Share the sending channel's pacer: Telegram counts
   * the bot's replies and its notifications against the same limits.
   * @default a new {@link createTelegramPacer}()
   */
  pacer?: WirePacer;
  /** Where the update loop reports failures and restarts. @default silent */
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** What the bot's update loop is doing, for `/ready` and metrics. */
export interface TelegramBotStatus {
  /** `webhook`: Telegram calls us; `polling`: we ask; `idle`: neither (yet, or closed). */
  mode: 'webhook' | 'polling' | 'idle';
  /** The loop works (the last poll or registration succeeded). */
  healthy: boolean;
  /** Failures in a row of the loop, reset by a success. */
  failures: number;
  /** Restarts of the loop after a failure, since the bot was created. */
  restarts: number;
}

/** A running bot. */
export interface TelegramBot {
  /**
   * Node HTTP handler for Telegram's webhook calls: 401 without the secret header, 403 with a wrong
   * one, 200 once the update is handled (or was already handled), 500 when handling failed (Telegram
   * then retries). Mount it on the path given to {@link TelegramBot.setWebhook}.
   */
  handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Registers `url` with Telegram as the webhook, with the secret. Resolves once registered; if
   * Telegram cannot be reached, keeps trying in the background (logged, 1 s doubling to 30 s).
   */
  setWebhook(url: string): Promise<void>;
  /**
   * Long-polls getUpdates instead of a webhook (development, or a public origin Telegram cannot
   * call). The loop is supervised: a failure is logged and the loop starts again after 1 s,
   * doubling to 30 s. Resolves once the first poll has been answered (or has failed once).
   */
  startPolling(): Promise<void>;
  /** Stops the update loop (polling or registration retries). */
  close(): Promise<void>;
  readonly status: Readonly<TelegramBotStatus>;
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
  const logger = deps.logger;
  const retryBaseMs = config.retryBaseMs ?? 1_000;
  const status: TelegramBotStatus = { mode: 'idle', healthy: false, failures: 0, restarts: 0 };
  /** Stops the update loop in progress. */
  let stopLoop = new AbortController();
  let loop: Promise<void> | undefined;
  const pacer = deps.pacer ?? createTelegramPacer();

  async function reply(chatId: number, markdownV2: string): Promise<void> {
    await pacer.run(String(chatId), () =>
      bot.telegram.sendMessage(chatId, markdownV2, {
        parse_mode: 'MarkdownV2',
        link_preview_options: { is_disabled: true },
      }),
    );
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

  function answer(res: ServerResponse, code: number): void {
    res.writeHead(code, { 'content-type': 'text/plain' }).end(code === 200 ? '' : String(code));
  }

  function succeeded(): void {
    if (status.failures > 0)
      logger?.info({ mode: status.mode, after: status.failures }, 'telegram update loop recovered');
    status.failures = 0;
    status.healthy = true;
  }

  /** Logs a failure of the update loop and waits before the next try (1 s doubling to 30 s). */
  async function failedThenWait(error: unknown, message: string, signal: AbortSignal): Promise<void> {
    status.failures += 1;
    status.restarts += 1;
    status.healthy = false;
    const retryInMs = Math.min(30_000, retryBaseMs * 2 ** (status.failures - 1));
    const code = (error as { code?: unknown }).code;
    logger?.error(
      {
        mode: status.mode,
        failures: status.failures,
        retryInMs,
        ...(typeof code === 'number' || typeof code === 'string' ? { code } : {}),
        reason: error instanceof Error ? error.message.slice(0, 200) : String(error),
      },
      message,
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, retryInMs);
      signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async function stopCurrentLoop(): Promise<void> {
    stopLoop.abort();
    await loop;
    loop = undefined;
    stopLoop = new AbortController();
    status.mode = 'idle';
    status.healthy = false;
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
      await stopCurrentLoop();
      status.mode = 'webhook';
      const signal = stopLoop.signal;
      let registered!: () => void;
      const first = new Promise<void>((resolve) => (registered = resolve));
      loop = (async () => {
        while (!signal.aborted) {
          try {
            await bot.telegram.setWebhook(url, {
              secret_token: config.webhookSecret,
              allowed_updates: ['message'],
            });
            succeeded();
            logger?.info({ mode: 'webhook' }, 'telegram webhook registered');
            registered();
            return;
          } catch (error) {
            if (signal.aborted) break;
            await failedThenWait(error, 'telegram webhook could not be registered; retrying', signal);
            registered();
          }
        }
        registered();
      })();
      await first;
    },
    async startPolling() {
      await stopCurrentLoop();
      status.mode = 'polling';
      const signal = stopLoop.signal;
      let polled!: () => void;
      const first = new Promise<void>((resolve) => (polled = resolve));
      loop = (async () => {
        let offset = 0;
        let webhookCleared = false;
        while (!signal.aborted) {
          try {
            // Telegram refuses getUpdates while a webhook is set (409): clear it first.
            if (!webhookCleared) {
              await bot.telegram.deleteWebhook({ drop_pending_updates: false });
              webhookCleared = true;
              // Telegram answered with this token: the loop is up, although the first long poll
              // may only return in 25 s. (After failures, only a poll that returns says so.)
              if (status.failures === 0) status.healthy = true;
            }
            const answer = bot.telegram.callApi(
              'getUpdates',
              { offset, timeout: 25, allowed_updates: ['message'] },
              { signal: signal as never },
            );
            polled();
            const updates = await answer;
            succeeded();
            for (const update of updates) {
              offset = update.update_id + 1;
              try {
                await bot.handleUpdate(update);
              } catch (err) {
                // Asked again it would fail again: logged (without its content) and passed over.
                logger?.warn({ err, updateId: update.update_id }, 'telegram update could not be handled');
              }
            }
          } catch (error) {
            if (signal.aborted) break;
            if ((error as { code?: unknown }).code === 409) webhookCleared = false;
            await failedThenWait(error, 'telegram polling failed; restarting', signal);
            polled();
          }
        }
        polled();
      })();
      await first;
    },
    async close() {
      await stopCurrentLoop();
    },
    get status() {
      return status;
    },
  };
}
