import type { Database } from '@sportello/platform';
import { TelegramChatEntity } from '../entities/telegram-chat.entity.js';

/** Telegram chats already linked in identity (demo population), for the notifier to write to. */
export interface NotifierSeed {
  comune: string;
  telegramChats: ReadonlyArray<{ fiscalCode: string; chatId: string }>;
}

/**
 * Seeds the notifier's Telegram chat table for a demo comune. Idempotent: skipped when the comune
 * already has chats. Inserts in batches of 500 and reports progress through `onProgress`.
 * @returns how many chats were inserted.
 */
export async function seedNotifier(
  database: Database,
  seed: NotifierSeed,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const em = database.fork({ comune: seed.comune });
  if ((await em.count(TelegramChatEntity, {})) > 0) return 0;
  const total = seed.telegramChats.length;
  const linkedAt = Date.now();
  for (let start = 0; start < total; start += 500) {
    const batch = seed.telegramChats.slice(start, start + 500);
    await em.insertMany(
      TelegramChatEntity,
      batch.map((chat) => ({
        chatId: chat.chatId,
        comune: seed.comune,
        fiscalCode: chat.fiscalCode,
        linkedAt,
      })),
    );
    onProgress?.(Math.min(start + batch.length, total), total);
  }
  return total;
}
