import { OFFICES, registerGraphQLEnum, SCOPES } from '@sportello/platform';
import { NOTIFICATION_CHANNEL_ENUM, NOTIFICATION_CHANNELS } from '@sportello/schema';
import { DELEGATION_KINDS } from '../domain/delegation.js';
import { NOTIFICATION_CATEGORIES } from '../domain/preferences.js';
import { LANGUAGES } from '../entities/citizen.entity.js';

export const NotificationCategoryEnum = registerGraphQLEnum(NOTIFICATION_CATEGORIES, {
  name: 'NotificationCategory',
  description: 'What a citizen can be notified about. CRITICAL_ALERTS (red alerts) cannot be turned off.',
  values: {
    ORDINANCES: 'Mayoral ordinances that apply to the citizen.',
    CIVIL_PROTECTION_ALERTS: 'Yellow and orange civil-protection alerts.',
    CRITICAL_ALERTS: 'Red civil-protection alerts; always on.',
    PRACTICE_UPDATES: 'Status changes of the citizen’s practices.',
    PAYMENT_REMINDERS: 'Payment notices and due-date reminders.',
    DOCUMENT_EXPIRY: 'Identity documents about to expire.',
  },
});

/** Same enum as the notifier's: the gateway's supergraph shares it. */
export const NotificationChannelEnum = registerGraphQLEnum(NOTIFICATION_CHANNELS, NOTIFICATION_CHANNEL_ENUM);

export const LanguageEnum = registerGraphQLEnum(LANGUAGES, {
  name: 'Language',
  description: 'Language the comune writes to the citizen in.',
  values: { IT: 'Italian.', EN: 'English.', DE: 'German.' },
});

export const OfficeEnum = registerGraphQLEnum(OFFICES, {
  name: 'Office',
  description: 'A municipal office a staff member works in; it decides what they may read and do.',
  values: {
    ANAGRAFE: 'Registry office: residents, certificates, delegations.',
    TRIBUTI: 'Local taxes and payments.',
    PRACTICES: 'Citizens’ practices (istanze) and appointments.',
    SUAP: 'One-stop shop for businesses (Sportello Unico Attività Produttive).',
    CIVIL_PROTECTION: 'Civil protection: alerts, ordinances, emergency areas.',
    ADMIN: 'Administrators: API clients and the audit log.',
  },
});

/** The OAuth scopes; a write scope `area:write` is `AREA_WRITE`. */
export const ScopeEnum = registerGraphQLEnum(SCOPES, {
  name: 'Scope',
  description:
    'Scopes a citizen can grant to an app. A plain scope only reads; its _WRITE scope (`area:write` in OAuth requests) lets the app act in the citizen’s name there, and does not read by itself.',
  values: {
    OPENID: 'Sign-in: who the citizen is (fiscal code).',
    PROFILE: 'Reads name, email and preferred language.',
    PROFILE_WRITE: '`profile:write`: changes email and preferred language in the citizen’s name.',
    ANAGRAFE: 'Reads registry data: residence, family, documents, certificates.',
    ANAGRAFE_WRITE:
      '`anagrafe:write`: declarations and requests in the citizen’s name (change of residence, certificates).',
    TRIBUTI: 'Reads payment positions and receipts.',
    PRACTICES: 'Reads practices, appointments and reports.',
    PRACTICES_WRITE:
      '`practices:write`: files, submits, withdraws and answers practices, books and cancels appointments, files reports in the citizen’s name.',
    NOTIFICATIONS: 'Reads notification preferences, channels and messages.',
    NOTIFICATIONS_WRITE:
      '`notifications:write`: changes notification preferences and links or unlinks channels in the citizen’s name.',
  },
});

export const DelegationKindEnum = registerGraphQLEnum(DELEGATION_KINDS, {
  name: 'DelegationKind',
  description: 'Why a delegate may act for the delegator.',
  values: {
    MINOR_CHILD: 'A parent or guardian acting for a minor child; recorded by the anagrafe office.',
    DELEGATING_ADULT: 'An adult who chose another person to act for them.',
  },
});
