import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Office } from '@sportello/platform';

/** One staff read of a citizen's personal data: who, whose, which field groups, when, in which operation. */
export const AuditEntryEntity = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    ...tenantProperties(),
    at: p.datetime().index(),
    actorUsername: p.string().index(),
    actorOffices: p.json<Office[]>(),
    subjectFiscalCode: p.string().length(16).index(),
    fields: p.json<string[]>(),
    operation: p.string().nullable(),
  },
});
export type AuditEntry = InferEntity<typeof AuditEntryEntity>;
