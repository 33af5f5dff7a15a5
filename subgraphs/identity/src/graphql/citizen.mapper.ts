import type { ApiClient } from '../entities/api-client.entity.js';
import type { AuditEntry } from '../entities/audit-entry.entity.js';
import type { Citizen } from '../entities/citizen.entity.js';
import type { Delegation } from '../entities/delegation.entity.js';
import { isDelegationActive } from '../domain/delegation.js';
import {
  CRITICAL_CATEGORIES,
  effectivePreferences,
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CHANNELS,
} from '../domain/preferences.js';
import { ApiClientType } from './api-client.type.js';
import { AuditEntryType } from './audit-entry.type.js';
import { CitizenType, NotificationPreferenceType } from './citizen.type.js';
import { DelegationType } from './delegation.type.js';

/** Entity to GraphQL: only what the schema publishes, and only behind the field resolvers' checks. */
export function toCitizenType(fiscalCode: string, citizen: Citizen | null): CitizenType {
  return Object.assign(new CitizenType(), {
    fiscalCode,
    record:
      citizen === null
        ? null
        : {
            fiscalCode: citizen.fiscalCode,
            givenName: citizen.givenName,
            familyName: citizen.familyName,
            email: citizen.email,
            emailVerified: citizen.email !== null && citizen.emailVerifiedAt !== null,
            telegramLinked: citizen.telegramChatId !== null,
            ioEnabled: citizen.ioEnabled,
            preferredLanguage: citizen.preferredLanguage,
            preferences: effectivePreferences(citizen.preferences),
          },
  });
}

/** Flattens the preference matrix into one row per category and channel. */
export function toPreferenceTypes(record: NonNullable<CitizenType['record']>): NotificationPreferenceType[] {
  return NOTIFICATION_CATEGORIES.flatMap((category) =>
    NOTIFICATION_CHANNELS.map((channel) =>
      Object.assign(new NotificationPreferenceType(), {
        category,
        channel,
        enabled: record.preferences[category][channel],
        locked: CRITICAL_CATEGORIES.includes(category),
      }),
    ),
  );
}

export function toDelegationType(delegation: Delegation, now = new Date()): DelegationType {
  return Object.assign(new DelegationType(), {
    id: delegation.id,
    delegator: delegation.delegatorFiscalCode,
    delegate: delegation.delegateFiscalCode,
    kind: delegation.kind,
    validFrom: delegation.validFrom,
    validUntil: delegation.validUntil ?? null,
    revokedAt: delegation.revokedAt ?? null,
    active: isDelegationActive(
      {
        validFrom: delegation.validFrom,
        validUntil: delegation.validUntil ?? null,
        revokedAt: delegation.revokedAt ?? null,
      },
      now,
    ),
  });
}

export function toApiClientType(client: ApiClient): ApiClientType {
  return Object.assign(new ApiClientType(), {
    clientId: client.clientId,
    name: client.name,
    scopes: client.scopes,
    redirectUris: client.redirectUris,
    rateLimitPerMinute: client.rateLimitPerMinute,
    firstParty: client.firstParty,
    confidential: client.secretHash != null,
    createdAt: client.createdAt,
    revokedAt: client.revokedAt ?? null,
  });
}

export function toAuditEntryType(entry: AuditEntry): AuditEntryType {
  return Object.assign(new AuditEntryType(), {
    id: entry.id,
    at: entry.at,
    actorUsername: entry.actorUsername,
    actorOffices: entry.actorOffices,
    subject: entry.subjectFiscalCode,
    fields: entry.fields,
    operation: entry.operation ?? null,
    service: entry.service,
    action: entry.action,
  });
}
