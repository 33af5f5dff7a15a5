import type { ChannelName, Language } from '../channels/channel.js';
import {
  NOTIFICATION_CATEGORIES,
  type ChannelPreferences,
  type NotificationCategory,
} from '../domain/categories.js';
import type { ContactDirectory, ContactPoint } from './contact-directory.js';
import { createSubgraphClient, SubgraphCallError } from './graphql-client.js';
import type { ServiceTokens } from './service-token.js';

/** Identity reads at most this many citizens per call. */
const BATCH = 500;

const CONTACTS_QUERY = /* GraphQL */ `
  query NotifierContacts($fiscalCodes: [FiscalCode!]!) {
    citizensByFiscalCodes(fiscalCodes: $fiscalCodes) {
      fiscalCode
      email
      emailVerified
      telegramLinked
      ioEnabled
      preferredLanguage
      notificationPreferences {
        category
        channel
        enabled
      }
    }
  }
`;

const LINK_MUTATION = /* GraphQL */ `
  mutation NotifierLinkTelegram($token: String!, $chatId: String!) {
    linkTelegramChat(token: $token, chatId: $chatId) {
      fiscalCode
    }
  }
`;

const UNSUBSCRIBE_MUTATION = /* GraphQL */ `
  mutation NotifierUnsubscribe(
    $fiscalCode: FiscalCode!
    $category: NotificationCategory!
    $channel: NotificationChannel!
  ) {
    unsubscribeByLink(fiscalCode: $fiscalCode, category: $category, channel: $channel)
  }
`;

const BLOCKED_MUTATION = /* GraphQL */ `
  mutation NotifierTelegramBlocked($chatId: String!) {
    reportTelegramChatBlocked(chatId: $chatId)
  }
`;

interface CitizenAnswer {
  fiscalCode: string;
  email: string | null;
  emailVerified: boolean | null;
  telegramLinked: boolean | null;
  ioEnabled: boolean | null;
  preferredLanguage: string | null;
  notificationPreferences: Array<{ category: string; channel: string; enabled: boolean }> | null;
}

/** GraphQL enum names (`CIVIL_PROTECTION_ALERTS`) back to the domain values (`civil-protection-alerts`). */
function fromEnum(value: string): string {
  return value.toLowerCase().replace(/_/g, '-');
}

function toContact(citizen: CitizenAnswer): ContactPoint {
  const preferences: ChannelPreferences = {};
  for (const preference of citizen.notificationPreferences ?? []) {
    const category = fromEnum(preference.category) as NotificationCategory;
    if (!NOTIFICATION_CATEGORIES.includes(category)) continue;
    (preferences[category] ??= {})[fromEnum(preference.channel) as ChannelName] = preference.enabled;
  }
  const language = fromEnum(citizen.preferredLanguage ?? 'it');
  return {
    fiscalCode: citizen.fiscalCode,
    email: citizen.email,
    emailVerified: citizen.emailVerified === true,
    telegramLinked: citizen.telegramLinked === true,
    ioEnabled: citizen.ioEnabled === true,
    language: (['it', 'en', 'de'].includes(language) ? language : 'it') as Language,
    preferences,
  };
}

/**
 * The {@link ContactDirectory} over identity's GraphQL API, called directly (not through the
 * gateway) with the notifier's service token: `citizensByFiscalCodes` in batches of 500,
 * `linkTelegramChat` and `reportTelegramChatBlocked`.
 */
export function createIdentityDirectory(identityUrl: string, tokens: ServiceTokens): ContactDirectory {
  const call = createSubgraphClient('identity', identityUrl, tokens);
  return {
    async contactsOf(comune, fiscalCodes) {
      const result = new Map<string, ContactPoint>();
      for (let start = 0; start < fiscalCodes.length; start += BATCH) {
        const batch = fiscalCodes.slice(start, start + BATCH);
        const data = await call<{ citizensByFiscalCodes: CitizenAnswer[] }>(comune, CONTACTS_QUERY, {
          fiscalCodes: batch,
        });
        for (const citizen of data.citizensByFiscalCodes) {
          // Unknown citizens come back with null fields: they have no account to reach.
          if (citizen.preferredLanguage === null) continue;
          result.set(citizen.fiscalCode, toContact(citizen));
        }
      }
      return result;
    },
    async linkTelegramChat(comune, token, chatId) {
      try {
        const data = await call<{ linkTelegramChat: { fiscalCode: string } }>(comune, LINK_MUTATION, {
          token,
          chatId,
        });
        return { fiscalCode: data.linkTelegramChat.fiscalCode };
      } catch (error) {
        if (
          error instanceof SubgraphCallError &&
          (error.code === 'BAD_USER_INPUT' || error.code === 'CONFLICT')
        ) {
          return 'invalid';
        }
        throw error;
      }
    },
    async reportTelegramChatBlocked(comune, chatId) {
      await call(comune, BLOCKED_MUTATION, { chatId });
    },
    async unsubscribe(comune, fiscalCode, category, channel) {
      try {
        await call(comune, UNSUBSCRIBE_MUTATION, {
          fiscalCode,
          // GraphQL enum names: PRACTICE_UPDATES for practice-updates.
          category: category.toUpperCase().replace(/-/g, '_'),
          channel: channel.toUpperCase(),
        });
        return 'done';
      } catch (error) {
        if (error instanceof SubgraphCallError && error.code === 'BAD_USER_INPUT') return 'refused';
        throw error;
      }
    },
  };
}
