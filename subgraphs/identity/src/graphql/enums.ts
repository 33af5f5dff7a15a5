import { graphqlEnumOf, OFFICES, SCOPES } from '@sportello/platform';
import { NOTIFICATION_CHANNELS } from '@sportello/schema';
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

export const NotificationChannelEnum = graphqlEnumOf(NOTIFICATION_CHANNELS);

export const LanguageEnum = { IT: 'it', EN: 'en', DE: 'de' } as const;

export const OfficeEnum = graphqlEnumOf(OFFICES);

/** GraphQL names of the OAuth scopes; a write scope `area:write` is `AREA_WRITE`. */
export const ScopeEnum = graphqlEnumOf(SCOPES);

export const DelegationKindEnum = {
  MINOR_CHILD: 'minor-child',
  DELEGATING_ADULT: 'delegating-adult',
} as const;

registerEnumType(NotificationCategoryEnum, {
  name: 'NotificationCategory',
  description: 'What a citizen can be notified about. CRITICAL_ALERTS (red alerts) cannot be turned off.',
  valuesConfig: {
    ORDINANCES: { description: 'Mayoral ordinances that apply to the citizen.' },
    CIVIL_PROTECTION_ALERTS: { description: 'Yellow and orange civil-protection alerts.' },
    CRITICAL_ALERTS: { description: 'Red civil-protection alerts; always on.' },
    PRACTICE_UPDATES: { description: 'Status changes of the citizen’s practices.' },
    PAYMENT_REMINDERS: { description: 'Payment notices and due-date reminders.' },
    DOCUMENT_EXPIRY: { description: 'Identity documents about to expire.' },
  },
});
registerEnumType(NotificationChannelEnum, {
  name: 'NotificationChannel',
  description: 'Where a notification is delivered.',
  valuesConfig: {
    EMAIL: { description: 'The citizen’s verified email address.' },
    TELEGRAM: { description: 'The Telegram chat linked to the account.' },
    IO: { description: 'The citizen’s App IO inbox.' },
  },
});
registerEnumType(LanguageEnum, {
  name: 'Language',
  description: 'Language the comune writes to the citizen in.',
  valuesConfig: {
    IT: { description: 'Italian.' },
    EN: { description: 'English.' },
    DE: { description: 'German.' },
  },
});
registerEnumType(OfficeEnum, {
  name: 'Office',
  description: 'A municipal office a staff member works in; it decides what they may read and do.',
  valuesConfig: {
    ANAGRAFE: { description: 'Registry office: residents, certificates, delegations.' },
    TRIBUTI: { description: 'Local taxes and payments.' },
    PRACTICES: { description: 'Citizens’ practices (istanze) and appointments.' },
    SUAP: { description: 'One-stop shop for businesses (Sportello Unico Attività Produttive).' },
    CIVIL_PROTECTION: { description: 'Civil protection: alerts, ordinances, emergency areas.' },
    ADMIN: { description: 'Administrators: API clients and the audit log.' },
  },
});
registerEnumType(ScopeEnum, {
  name: 'Scope',
  description:
    'Scopes a citizen can grant to an app. A plain scope only reads; its _WRITE scope (`area:write` in OAuth requests) lets the app act in the citizen’s name there, and does not read by itself.',
  valuesConfig: {
    OPENID: { description: 'Sign-in: who the citizen is (fiscal code).' },
    PROFILE: { description: 'Reads name, email and preferred language.' },
    PROFILE_WRITE: {
      description: '`profile:write`: changes email and preferred language in the citizen’s name.',
    },
    ANAGRAFE: { description: 'Reads registry data: residence, family, documents, certificates.' },
    ANAGRAFE_WRITE: {
      description:
        '`anagrafe:write`: declarations and requests in the citizen’s name (change of residence, certificates).',
    },
    TRIBUTI: { description: 'Reads payment positions and receipts.' },
    PRACTICES: { description: 'Reads practices, appointments and reports.' },
    PRACTICES_WRITE: {
      description:
        '`practices:write`: files, submits, withdraws and answers practices, books and cancels appointments, files reports in the citizen’s name.',
    },
    NOTIFICATIONS: { description: 'Reads notification preferences, channels and messages.' },
    NOTIFICATIONS_WRITE: {
      description:
        '`notifications:write`: changes notification preferences and links or unlinks channels in the citizen’s name.',
    },
  },
});
registerEnumType(DelegationKindEnum, {
  name: 'DelegationKind',
  description: 'Why a delegate may act for the delegator.',
  valuesConfig: {
    MINOR_CHILD: {
      description: 'A parent or guardian acting for a minor child; recorded by the anagrafe office.',
    },
    DELEGATING_ADULT: { description: 'An adult who chose another person to act for them.' },
  },
});
