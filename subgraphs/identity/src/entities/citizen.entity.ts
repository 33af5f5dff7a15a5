import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import type { NotificationPreferences } from '../domain/preferences.js';

/** Languages the comune writes to citizens in. */
export const LANGUAGES = ['it', 'en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A citizen's account: identity, contact points and notification preferences. */
export const CitizenEntity = defineEntity({
  name: 'Citizen',
  tableName: 'citizen',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16),
    givenName: p.string(),
    familyName: p.string(),
    email: p.string().nullable(),
    emailVerifiedAt: p.datetime().nullable(),
    telegramChatId: p.string().nullable(),
    telegramLinkedAt: p.datetime().nullable(),
    /** When the citizen last signed out everywhere: their tokens issued up to then are refused. */
    signedOutAt: p.datetime().nullable(),
    ioEnabled: p.boolean().default(false),
    preferredLanguage: p.enum(LANGUAGES).default('it'),
    preferences: p.json<NotificationPreferences>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['comune', 'fiscalCode'] }],
});
export type Citizen = InferEntity<typeof CitizenEntity>;

/** A pending email check: the citizen proves they read the address by presenting the token. */
export const EmailVerificationEntity = defineEntity({
  name: 'EmailVerification',
  tableName: 'email_verification',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16).index(),
    email: p.string(),
    tokenDigest: p.string().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type EmailVerification = InferEntity<typeof EmailVerificationEntity>;

/** A one-time token behind a Telegram deep link, redeemed by the bot with the chat id. */
export const TelegramLinkTokenEntity = defineEntity({
  name: 'TelegramLinkToken',
  tableName: 'telegram_link_token',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16).index(),
    tokenDigest: p.string().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type TelegramLinkToken = InferEntity<typeof TelegramLinkTokenEntity>;
