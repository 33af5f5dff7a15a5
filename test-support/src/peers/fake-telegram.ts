import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMarkdownV2 } from './markdown-v2-parser.js';

/** A message the fake accepted from the bot. */
export interface TelegramSentMessage {
  chatId: string;
  messageId: number;
  /** The text as sent (with markup). */
  text: string;
  /** The visible text after entity parsing. */
  plainText: string;
  parseMode: string | undefined;
  disableNotification: boolean;
  at: number;
}

/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  token: string;
  /** Bot's username (for getMe). @default sportello_test_bot */
  username?: string;
  /** Messages per second across all chats. @default 30 */
  perSecond?: number;
  /** Messages accepted back to back before `perSecond` applies. @default 30 */
  burst?: number;
  /** Messages per second to one chat. @default 1 */
  perChatPerSecond?: number;
  /**
   * Slack for network jitter when checking the limits: a message may arrive this much earlier than
   * the limit allows. @default 100
   */
  jitterToleranceMs?: number;
  /**
   * Counts like the measurements of the real Bot API: at most `perSecond` messages in any
   * rolling second (no burst allowance), and a chat's next message at least `1000 /
   * perChatPerSecond` ms after its previous one, with no slack. @default false
   */
  strict?: boolean;
}

/** A running fake Bot API. */
export interface FakeTelegram {
  /** Pass as telegraf's `apiRoot`. */
  readonly apiRoot: string;
  readonly sent: readonly TelegramSentMessage[];
  /** How many sendMessage calls were answered 429. */
  readonly tooManyRequests: number;
  /** The 429s answered, with why (`chat` or `global`), the chat and when. */
  readonly refusals: ReadonlyArray<{ limit: 'chat' | 'global'; chatId: string; at: number }>;
  /** Calls per Bot API method. */
  readonly calls: Readonly<Record<string, number>>;
  /** The webhook set with setWebhook, if any. */
  readonly webhook: { url: string; secretToken: string | undefined } | undefined;
  /**
   * The next `count` messages are delivered, but their answer is lost: `500` answers 500 Internal
   * Server Error, `drop` closes the connection without a word.
   */
  loseAnswers(count: number, how?: 500 | 'drop'): void;
  /** The next `count` calls of `method` answer `status` (Telegram's proxies having a bad moment). */
  failNext(method: string, count: number, status?: number): void;
  /** The chat answers 403 "bot was blocked by the user". */
  blockChat(chatId: number | string): void;
  /** The chat answers 400 "chat not found". */
  removeChat(chatId: number | string): void;
  /**
   * A user writes `text` in their private chat with the bot. Delivered to the webhook when one is
   * set (resolves with its HTTP status), otherwise queued for getUpdates (resolves with 0).
   */
  userSends(
    chatId: number,
    text: string,
    from?: { languageCode?: string; firstName?: string },
  ): Promise<{ updateId: number; status: number }>;
  /** Posts an already delivered update to the webhook again, as Telegram does after a non-2xx. */
  redeliver(updateId: number, secretToken?: string): Promise<number>;
  /** Resolves once `count` messages were accepted for `chatId` (or in total without it). */
  waitForSent(count: number, chatId?: number | string, timeoutMs?: number): Promise<TelegramSentMessage[]>;
  close(): Promise<void>;
}

interface ApiReply {
  status: number;
  body: Record<string, unknown>;
}

const ok = (result: unknown): ApiReply => ({ status: 200, body: { ok: true, result } });
const error = (status: number, description: string, parameters?: Record<string, unknown>): ApiReply => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

/** GCRA like Telegram's flood control, with a tolerance for jitter. */
class Flood {
  private tat = 0;
  constructor(
    private readonly interval: number,
    private readonly tolerance: number,
  ) {}
  /** Milliseconds before a call may pass (0: now). */
  wait(now: number): number {
    return Math.max(0, this.tat - this.tolerance - now);
  }
  /** Counts a call that passed. */
  count(now: number): void {
    this.tat = Math.max(this.tat, now) + this.interval;
  }
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (raw === '') return params;
  if (type.includes('application/json'))
    return { ...params, ...(JSON.parse(raw) as Record<string, unknown>) };
  if (type.includes('application/x-www-form-urlencoded'))
    return { ...params, ...Object.fromEntries(new URLSearchParams(raw)) };
  throw new Error('unsupported content type');
}

/**
 * Starts an HTTP server on loopback speaking the Telegram Bot API at `/bot<token>/<method>`:
 * getMe, sendMessage (with MarkdownV2 parsing, the 4096-character limit, flood control answering 429
 * with `retry_after`, blocked and missing chats), setWebhook/deleteWebhook/getWebhookInfo (webhook
 * calls carry `X-Telegram-Bot-Api-Secret-Token`) and long-polling getUpdates.
 */
export async function startFakeTelegram(options: FakeTelegramOptions): Promise<FakeTelegram> {
  const tolerance = options.jitterToleranceMs ?? 100;
  const globalInterval = 1000 / (options.perSecond ?? 30);
  const global = new Flood(globalInterval, ((options.burst ?? 30) - 1) * globalInterval + tolerance);
  const chatInterval = 1000 / (options.perChatPerSecond ?? 1);
  const perChat = new Map<string, Flood>();
  const blocked = new Set<string>();
  const missing = new Set<string>();
  const sent: TelegramSentMessage[] = [];
  const calls: Record<string, number> = {};
  const updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  const pollers = new Set<() => void>();
  const sentWaiters = new Set<() => void>();
  let webhook: { url: string; secretToken: string | undefined } | undefined;
  let tooManyRequests = 0;
  let lostAnswers: { count: number; how: 500 | 'drop' } = { count: 0, how: 500 };
  const failing = new Map<string, { count: number; status: number }>();
  const refusals: Array<{ limit: 'chat' | 'global'; chatId: string; at: number }> = [];
  /** Strict mode: when each accepted message arrived, and each chat's last one. */
  const acceptedAt: number[] = [];
  const lastOfChat = new Map<string, number>();
  const strictChatIntervalMs = 1000 / (options.perChatPerSecond ?? 1);
  const strictPerSecond = options.perSecond ?? 30;
  /** Milliseconds before a message to `chatId` may pass under the strict rules, and which rule holds it. */
  const strictWait = (chatId: string, now: number): { wait: number; limit: 'chat' | 'global' } => {
    const last = lastOfChat.get(chatId);
    const chatWait = last === undefined ? 0 : last + strictChatIntervalMs - now;
    while (acceptedAt.length > 0 && acceptedAt[0]! <= now - 1000) acceptedAt.shift();
    const globalWait = acceptedAt.length >= strictPerSecond ? acceptedAt[0]! + 1000 - now : 0;
    return chatWait >= globalWait ? { wait: chatWait, limit: 'chat' } : { wait: globalWait, limit: 'global' };
  };
  let nextMessageId = 1;
  let nextUpdateId = 100_000;
  let closing = false;

  const wakePollers = (): void => {
    for (const wake of pollers) wake();
  };

  function sendMessage(params: Record<string, unknown>): ApiReply {
    const chatIdRaw = params.chat_id;
    if (chatIdRaw === undefined || chatIdRaw === '') return error(400, 'Bad Request: chat_id is empty');
    const chatId = String(chatIdRaw);
    if (!/^-?\d+$/.test(chatId) && !/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(chatId)) {
      return error(400, 'Bad Request: chat not found');
    }
    const text = params.text;
    if (typeof text !== 'string' || text === '') return error(400, 'Bad Request: message text is empty');
    if (missing.has(chatId)) return error(400, 'Bad Request: chat not found');
    if (blocked.has(chatId)) return error(403, 'Forbidden: bot was blocked by the user');
    const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : undefined;
    let plainText = text;
    if (parseMode === 'MarkdownV2') {
      const parsed = parseMarkdownV2(text);
      if (!parsed.ok) return error(400, parsed.description);
      plainText = parsed.plain;
    } else if (parseMode !== undefined && parseMode !== 'HTML' && parseMode !== 'Markdown') {
      return error(400, `Bad Request: unsupported parse_mode "${parseMode}"`);
    }
    if (plainText.trim() === '') return error(400, 'Bad Request: message text is empty');
    if (plainText.length > 4096) return error(400, 'Bad Request: message is too long');

    const now = Date.now();
    let chat = perChat.get(chatId);
    if (!chat) perChat.set(chatId, (chat = new Flood(chatInterval, tolerance)));
    // A refused message counts against neither limit.
    const held = options.strict
      ? strictWait(chatId, now)
      : { wait: Math.max(chat.wait(now), global.wait(now)), limit: chat.wait(now) > 0 ? 'chat' : 'global' };
    if (held.wait > 0) {
      tooManyRequests += 1;
      refusals.push({ limit: held.limit as 'chat' | 'global', chatId, at: now });
      const retryAfter = Math.max(1, Math.ceil(held.wait / 1000));
      return error(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    chat.count(now);
    global.count(now);
    acceptedAt.push(now);
    lastOfChat.set(chatId, now);
    const message: TelegramSentMessage = {
      chatId,
      messageId: nextMessageId++,
      text,
      plainText,
      parseMode,
      disableNotification: params.disable_notification === true || params.disable_notification === 'true',
      at: now,
    };
    sent.push(message);
    for (const wake of sentWaiters) wake();
    const numericId = /^-?\d+$/.test(chatId) ? Number(chatId) : -1_000_000_000_000 - chatId.length;
    return ok({
      message_id: message.messageId,
      date: Math.floor(now / 1000),
      chat:
        numericId < 0
          ? { id: numericId, type: 'channel', title: chatId }
          : { id: numericId, type: 'private', first_name: 'Test' },
      text: plainText,
    });
  }

  async function getUpdates(params: Record<string, unknown>): Promise<ApiReply> {
    if (webhook) {
      return error(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = Number(params.offset ?? 0);
    if (offset > 0) {
      // Confirming an offset forgets every earlier update, as Telegram does.
      while (updates.length > 0 && updates[0]!.update_id < offset) updates.shift();
    }
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Math.min(50, Math.max(0, Number(params.timeout ?? 0))) * 1000;
    if (updates.length === 0 && timeoutMs > 0 && !closing) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          pollers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        pollers.add(done);
      });
    }
    return ok(updates.slice(0, limit));
  }

  function setWebhook(params: Record<string, unknown>): ApiReply {
    const url = typeof params.url === 'string' ? params.url : '';
    const secret =
      typeof params.secret_token === 'string' && params.secret_token !== '' ? params.secret_token : undefined;
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      return error(400, 'Bad Request: secret token contains unallowed characters');
    }
    if (url === '') {
      webhook = undefined;
      return ok(true);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return error(400, 'Bad Request: invalid webhook URL specified');
    }
    // Telegram requires HTTPS; the fake also accepts plain HTTP on loopback, where tests run.
    const loopback =
      parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      return error(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    }
    webhook = { url, secretToken: secret };
    wakePollers();
    return ok(true);
  }

  async function call(method: string, params: Record<string, unknown>): Promise<ApiReply> {
    switch (method) {
      case 'getMe':
        return ok({
          id: 7_000_000_001,
          is_bot: true,
          first_name: 'Sportello',
          username: options.username ?? 'sportello_test_bot',
        });
      case 'sendMessage':
        return sendMessage(params);
      case 'getUpdates':
        return getUpdates(params);
      case 'setWebhook':
        return setWebhook(params);
      case 'deleteWebhook':
        webhook = undefined;
        if (params.drop_pending_updates === true) updates.length = 0;
        return ok(true);
      case 'getWebhookInfo':
        return ok({
          url: webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: updates.length,
        });
      default:
        return error(404, 'Not Found');
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const reply = (r: ApiReply): void => {
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    };
    if (!match) return reply(error(404, 'Not Found'));
    if (match[1] !== options.token) return reply(error(401, 'Unauthorized'));
    const method = match[2]!;
    calls[method] = (calls[method] ?? 0) + 1;
    const failure = failing.get(method);
    if (failure && failure.count > 0) {
      failure.count -= 1;
      // The request body is read and dropped, as a failing proxy would.
      req.resume();
      return reply(error(failure.status, 'Bad Gateway'));
    }
    readParams(req, url)
      .then((params) => call(method, params))
      .then(
        (answer) => {
          if (method === 'sendMessage' && answer.status === 200 && lostAnswers.count > 0) {
            lostAnswers.count -= 1;
            if (lostAnswers.how === 'drop') return void res.socket?.destroy();
            return reply(error(500, 'Internal Server Error'));
          }
          reply(answer);
        },
        () => reply(error(400, 'Bad Request: invalid request body')),
      );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const delivered = new Map<number, Record<string, unknown>>();

  async function postToWebhook(
    update: Record<string, unknown>,
    secretToken: string | undefined,
  ): Promise<number> {
    const response = await fetch(webhook!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secretToken !== undefined ? { 'x-telegram-bot-api-secret-token': secretToken } : {}),
      },
      body: JSON.stringify(update),
    });
    await response.arrayBuffer();
    return response.status;
  }

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    sent,
    calls,
    get tooManyRequests() {
      return tooManyRequests;
    },
    refusals,
    get webhook() {
      return webhook;
    },
    failNext(method, count, status = 502) {
      failing.set(method, { count, status });
    },
    loseAnswers(count, how = 500) {
      lostAnswers = { count, how };
    },
    blockChat(chatId) {
      blocked.add(String(chatId));
    },
    removeChat(chatId) {
      missing.add(String(chatId));
    },
    async userSends(chatId, text, from = {}) {
      const updateId = nextUpdateId++;
      const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
      const update = {
        update_id: updateId,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: from.firstName ?? 'Maria' },
          from: {
            id: chatId,
            is_bot: false,
            first_name: from.firstName ?? 'Maria',
            ...(from.languageCode ? { language_code: from.languageCode } : {}),
          },
          text,
          ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
        },
      };
      delivered.set(updateId, update);
      if (!webhook) {
        updates.push(update);
        wakePollers();
        return { updateId, status: 0 };
      }
      return { updateId, status: await postToWebhook(update, webhook.secretToken) };
    },
    async redeliver(updateId, secretToken) {
      const update = delivered.get(updateId);
      if (!update) throw new Error(`fake Telegram: no update ${updateId} was delivered`);
      if (!webhook) throw new Error('fake Telegram: no webhook is set');
      return postToWebhook(update, secretToken ?? webhook.secretToken);
    },
    async waitForSent(count, chatId, timeoutMs = 10_000) {
      const matching = (): TelegramSentMessage[] =>
        chatId === undefined ? sent : sent.filter((m) => m.chatId === String(chatId));
      if (matching().length >= count) return matching();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          sentWaiters.delete(check);
          reject(
            new Error(
              `fake Telegram: expected ${count} messages, got ${matching().length} in ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        const check = (): void => {
          if (matching().length < count) return;
          clearTimeout(timer);
          sentWaiters.delete(check);
          resolve();
        };
        sentWaiters.add(check);
      });
      return matching();
    },
    async close() {
      closing = true;
      wakePollers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
