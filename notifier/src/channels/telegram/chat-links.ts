import type { Database, EntityManager, Logger } from '@sportello/platform';
import type { ContactDirectory } from '../../directory/contact-directory.js';
import { TelegramChatEntity } from '../../entities/telegram-chat.entity.js';

/** What the bot does with `/start <token>` and `/stop`, and what the dispatcher does with a blocked chat. */
export interface ChatLinks {
  /** `/start <token>`: identity redeems the token, the notifier remembers the chat for the citizen. */
  linkChat(token: string, chatId: number): Promise<'linked' | 'invalid'>;
  /** `/stop`: the notifier forgets the chat and identity unlinks it. */
  unlinkChat(chatId: number | string): Promise<void>;
  /**
   * Identity announced the citizen unlinked Telegram: forget their chat, in `em` when given (the
   * transaction that records the event as handled).
   */
  forgetCitizen(comune: string, fiscalCode: string, em?: EntityManager): Promise<void>;
}

/**
 * Telegram chat links. Identity owns the link (and never publishes the chat id); the notifier keeps
 * the chat id it received so it can write to it. The bot serves one comune (`comune`): the one its
 * deep links are issued for.
 */
export function createChatLinks(options: {
  database: Database;
  contacts: ContactDirectory;
  comune: string;
  logger: Logger;
  now?: () => number;
}): ChatLinks {
  const { database, contacts, comune, logger } = options;
  const now = options.now ?? Date.now;
  return {
    async linkChat(token, chatId) {
      const outcome = await contacts.linkTelegramChat(comune, token, String(chatId));
      if (outcome === 'invalid') return 'invalid';
      const em = database.fork({ comune });
      await em.transactional(async (tx) => {
        // One chat per citizen and one citizen per chat: the latest link wins.
        await tx.nativeDelete(TelegramChatEntity, {
          $or: [{ fiscalCode: outcome.fiscalCode }, { chatId: String(chatId) }],
        });
        await tx.insert(TelegramChatEntity, {
          chatId: String(chatId),
          comune,
          fiscalCode: outcome.fiscalCode,
          linkedAt: now(),
        });
      });
      logger.info({ comune }, 'telegram chat linked');
      return 'linked';
    },
    async unlinkChat(chatId) {
      await database.fork({ comune }).nativeDelete(TelegramChatEntity, { chatId: String(chatId) });
      await contacts.reportTelegramChatBlocked(comune, String(chatId));
    },
    async forgetCitizen(citizenComune, fiscalCode, em) {
      await (em ?? database.fork({ comune: citizenComune })).nativeDelete(TelegramChatEntity, { fiscalCode });
    },
  };
}
