import { registerEnumType } from 'type-graphql';

/** GraphQL names for domain values that are not valid enum names (dashes), mapped to the domain values. */
export const NotificationCategoryEnum = {
  ORDINANCES: 'ordinances',
  CIVIL_PROTECTION_ALERTS: 'civil-protection-alerts',
  CRITICAL_ALERTS: 'critical-alerts',
  PRACTICE_UPDATES: 'practice-updates',
  PAYMENT_REMINDERS: 'payment-reminders',
  DOCUMENT_EXPIRY: 'document-expiry',
} as const;

export const NotificationChannelEnum = { EMAIL: 'email', TELEGRAM: 'telegram', IO: 'io' } as const;

export const LanguageEnum = { IT: 'it', EN: 'en', DE: 'de' } as const;

export const OfficeEnum = {
  ANAGRAFE: 'anagrafe',
  TRIBUTI: 'tributi',
  PRACTICES: 'practices',
  SUAP: 'suap',
  CIVIL_PROTECTION: 'civil-protection',
  ADMIN: 'admin',
} as const;

export const ScopeEnum = {
  OPENID: 'openid',
  PROFILE: 'profile',
  ANAGRAFE: 'anagrafe',
  TRIBUTI: 'tributi',
  PRACTICES: 'practices',
  NOTIFICATIONS: 'notifications',
} as const;

export const DelegationKindEnum = {
  MINOR_CHILD: 'minor-child',
  DELEGATING_ADULT: 'delegating-adult',
} as const;

registerEnumType(NotificationCategoryEnum, {
  name: 'NotificationCategory',
  description: 'What a citizen can be notified about. CRITICAL_ALERTS (red alerts) cannot be turned off.',
});
registerEnumType(NotificationChannelEnum, { name: 'NotificationChannel' });
registerEnumType(LanguageEnum, {
  name: 'Language',
  description: 'Language the comune writes to the citizen in.',
});
registerEnumType(OfficeEnum, { name: 'Office' });
registerEnumType(ScopeEnum, { name: 'Scope', description: 'Scopes a citizen can grant to an app.' });
registerEnumType(DelegationKindEnum, { name: 'DelegationKind' });
