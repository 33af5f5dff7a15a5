import { GraphQLFiscalCode } from '@sportello/schema';
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
@ObjectType('Citizen', {
  description: 'A citizen with a Sportello account. Personal fields are authorised one by one.',
})
export class CitizenType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;

  /** Loaded data, resolved field by field after the access check; `null` for an unknown citizen. */
  record!: CitizenRecord | null;
}

@ObjectType('NotificationPreference')
export class NotificationPreferenceType {
  @Field(() => NotificationCategoryEnum)
  category!: string;

  @Field(() => NotificationChannelEnum)
  channel!: string;

  @Field()
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

  @Field()
  expiresAt!: Date;
}

@ObjectType('EmailVerificationRequest')
export class EmailVerificationRequestType {
  @Field({ description: 'When the verification token sent to the new address stops working.' })
  expiresAt!: Date;
}
