import { CITIZEN_DESCRIPTION, CitizenKey } from '@sportello/platform';
import { Directive, Field, ObjectType } from 'type-graphql';
import type { Language } from '../entities/citizen.entity.js';
import type { NotificationPreferences } from '../domain/preferences.js';
import { NotificationCategoryEnum, NotificationChannelEnum } from './enums.js';

/**
 * What the GraphQL layer knows of a citizen once loaded: every field behind `Citizen` except the
 * key is resolved through an access check (see citizen.resolver.ts), never read directly.
 */
export interface CitizenRecord {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  email: string | null;
  emailVerified: boolean;
  telegramLinked: boolean;
  ioEnabled: boolean;
  preferredLanguage: Language;
  preferences: NotificationPreferences;
}

/**
 * A citizen with an account. The key is the fiscal code: every system the comune talks to
 * (pagoPA, App IO, ANPR) names people by it, and whoever may reach the entity already knows it.
 */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen', { description: CITIZEN_DESCRIPTION })
export class CitizenType extends CitizenKey {
  /** Loaded data, resolved field by field after the access check; `null` for an unknown citizen. */
  record!: CitizenRecord | null;
}

@ObjectType('NotificationPreference', {
  description: 'Whether one notification category reaches the citizen on one channel.',
})
export class NotificationPreferenceType {
  @Field(() => NotificationCategoryEnum, { description: 'What the notification is about.' })
  category!: string;

  @Field(() => NotificationChannelEnum, { description: 'Where the notification is delivered.' })
  channel!: string;

  @Field({ description: 'True when notifications of this category are sent on this channel.' })
  enabled!: boolean;

  @Field({ description: 'True when the citizen cannot turn this preference off (critical alerts).' })
  locked!: boolean;
}

@ObjectType('TelegramLink', {
  description: 'A one-time deep link that connects a Telegram chat to the account.',
})
export class TelegramLinkType {
  @Field({ description: 'https://t.me/<bot>?start=<token>: open it in Telegram and press Start.' })
  url!: string;

  @Field({ description: 'When the link stops working (15 minutes after it was created).' })
  expiresAt!: Date;
}

@ObjectType('EmailVerificationRequest', {
  description: 'A verification email was sent to the new address; present its token to verifyEmail.',
})
export class EmailVerificationRequestType {
  @Field({ description: 'When the verification token sent to the new address stops working.' })
  expiresAt!: Date;
}
