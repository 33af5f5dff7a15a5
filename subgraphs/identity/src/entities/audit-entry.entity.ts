import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Office, uuidPrimaryKey } from '@sportello/platform';

/**
 * One staff read of a citizen's personal data: who, whose, what, when, in which service. Identity
 * writes its own reads directly; the other services' reads arrive as `audit.personal-data-read`
 * events.
 */
export const AuditEntryEntity = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    at: p.datetime().index(),
    actorUsername: p.string().index(),
    actorOffices: p.json<Office[]>(),
    subjectFiscalCode: p.string().length(16).index(),
    /** Identity's field groups, or the resources another service names (`Citizen.residence`). */
    fields: p.json<string[]>(),
    operation: p.string().nullable(),
    /** The service that answered the read. */
    service: p.string().default('identity').index(),
    /** What was done: `read`, `search`, `issue-certificate`... */
    action: p.string().default('read'),
    /** The request of the service that answered, to match its logs; `null` for identity's own reads. */
    requestId: p.string().nullable(),
  },
});
export type AuditEntry = InferEntity<typeof AuditEntryEntity>;
