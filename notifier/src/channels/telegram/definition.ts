import type { ServerResponse } from 'node:http';
import { defineChannel } from '../definition.js';
import { createTelegramBot } from './telegram-bot.js';
import { createTelegramChannel, createTelegramPacer } from './telegram-channel.js';

/** Path of the Telegram webhook on the notifier's HTTP server. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/**
 * Telegram (`TELEGRAM_*`): the channel, the citizen bot (webhook or polling, supervised) and the
 * chat links it keeps; the sandbox folder and no bot without `TELEGRAM_BOT_TOKEN`.
 */
export const telegramChannel = defineChannel({
  name: 'telegram',
  settings: (config) => config.telegram,
  build(telegram, host) {
    const { chatLinks, logger } = host;
    // One pacer for every request of the bot (notifications and replies): Telegram counts them together.
    const perChatPerSecond = telegram?.ratePerChatPerSecond ?? 1;
    const pacer = createTelegramPacer({ perSecond: telegram?.ratePerSecond ?? 30, perChatPerSecond });
    const api = telegram
      ? { token: telegram.token, ...(telegram.apiRoot ? { apiRoot: telegram.apiRoot } : {}) }
      : null;
    const bot =
      telegram && api
        ? createTelegramBot(
            {
              ...api,
              webhookSecret: telegram.webhookSecret,
              linkChat: (token, chatId) => chatLinks.linkChat(token, chatId),
              unlinkChat: (chatId) => chatLinks.unlinkChat(chatId),
              settingsUrl: host.config.preferencesUrl,
            },
            { pacer, logger: logger.child({ component: 'telegram-bot' }) },
          )
        : undefined;
    return {
      channel:
        host.given ??
        (api
          ? createTelegramChannel(api, { pacer, perChatIntervalMs: Math.ceil(1000 / perChatPerSecond) })
          : host.sandbox()),
      dispatch: {
        pacer,
        keyOf: (row) => row.address,
        // A chat reads its messages in the order they were planned.
        inOrder: true,
        // No idempotency key: an answer lost after sending waits for staff as `uncertain`.
        onUncertain: 'hold',
      },
      async onUnreachable(row) {
        // The citizen blocked the bot: stop using the chat here and tell identity.
        await chatLinks.unlinkChat(row.address);
        logger.info({ deliveryId: row.id }, 'telegram chat unreachable: unlinked');
      },
      publicChannel: () => telegram?.publicChannel ?? undefined,
      ...(bot && telegram
        ? {
            bot,
            routes: [
              {
                method: 'POST' as const,
                path: TELEGRAM_WEBHOOK_PATH,
                async handler(request) {
                  // The bot answers through a Node response; capture what it writes into the route's answer.
                  return new Promise((resolve) => {
                    const capture = {
                      writeHead(status: number, headers?: Record<string, string>) {
                        return {
                          end(body?: string) {
                            resolve({ status, headers: headers ?? {}, body: body ?? '' });
                          },
                        };
                      },
                    } as unknown as ServerResponse;
                    void bot.handleWebhook(request.raw, capture);
                  });
                },
              },
            ],
            // Supervised: Telegram unreachable at start is retried in the background, not fatal.
            async start() {
              if (telegram.webhookUrl) await bot.setWebhook(telegram.webhookUrl);
              else await bot.startPolling();
            },
            stop: () => bot.close(),
          }
        : {}),
    };
  },
});
