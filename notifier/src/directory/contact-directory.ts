import type { ChannelName, Language } from '../channels/channel.js';
import type { ChannelPreferences } from '../domain/categories.js';

/** Where and how a citizen can be reached, as identity knows it. */
export interface ContactPoint {
  fiscalCode: string;
  /** `null` when none is on file. Only a verified address is used. */
  email: string | null;
  emailVerified: boolean;
  /** Identity says a chat is linked (the chat id itself is known to the notifier's bot only). */
  telegramLinked: boolean;
  ioEnabled: boolean;
  language: Language;
  preferences: ChannelPreferences;
}

/**
 * Contact points, language and preferences of citizens, read in batches (identity's
 * `citizensByFiscalCodes` for the notifier), plus the Telegram link operations of the bot.
 */
export interface ContactDirectory {
  /**
   * The contact points of the given citizens of a comune; citizens without an account are absent
   * from the map. Implementations split large lists into the directory's batch size.
   */
  contactsOf(comune: string, fiscalCodes: readonly string[]): Promise<Map<string, ContactPoint>>;
  /**
   * Redeems a one-time deep-link token for a chat.
   * @returns the citizen's fiscal code, or `'invalid'` for an unknown, used or expired token.
   */
  linkTelegramChat(
    comune: string,
    token: string,
    chatId: string,
  ): Promise<{ fiscalCode: string } | 'invalid'>;
  /** The chat cannot be written to any more (bot blocked, /stop): identity unlinks it. */
  reportTelegramChatBlocked(comune: string, chatId: string): Promise<void>;
  /**
   * The citizen used a message's one-click unsubscribe link: identity turns `channel` off for
   * `category`. @returns `'refused'` when the category cannot be turned off (critical alerts)
   */
  unsubscribe(
    comune: string,
    fiscalCode: string,
    category: string,
    channel: ChannelName,
  ): Promise<'done' | 'refused'>;
}

/** Residents of a comune by zone (anagrafe's `residentsInZones` for the notifier). */
export interface AudienceDirectory {
  /**
   * Fiscal codes of the residents of `zones` (`null`: the whole comune), page by page in fiscal code
   * order, `pageSize` at a time, starting after the fiscal code `after` when given (a planner
   * resuming where it was interrupted).
   */
  residentsInZones(
    comune: string,
    zones: readonly string[] | null,
    pageSize: number,
    after?: string | null,
  ): AsyncIterable<string[]>;
}

/** Channels a contact point offers, before preferences. */
export function linkedChannels(
  contact: ContactPoint,
  telegramChatId: string | undefined,
): Map<ChannelName, string> {
  const linked = new Map<ChannelName, string>();
  if (contact.email !== null && contact.emailVerified) linked.set('email', contact.email);
  if (contact.telegramLinked && telegramChatId !== undefined) linked.set('telegram', telegramChatId);
  if (contact.ioEnabled) linked.set('io', contact.fiscalCode);
  return linked;
}
