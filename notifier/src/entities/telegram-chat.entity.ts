import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';

/**
 * The Telegram chat a citizen linked through the bot. Identity records that a chat is linked but
 * never publishes the chat id, so the notifier keeps it from the moment the bot links it.
 */
export const TelegramChatEntity = defineEntity({
  name: 'TelegramChat',
  tableName: 'telegram_chat',
  properties: {
    chatId: p.string().length(32).primary(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16).index(),
    linkedAt: p.bigint('number'),
  },
});
export type TelegramChat = InferEntity<typeof TelegramChatEntity>;
