import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { DOCUMENT_KINDS } from '@sportello/schema';

/** An identity document (CIE or paper card) of a resident. */
export const IdentityDocumentEntity = defineEntity({
  name: 'IdentityDocument',
  tableName: 'identity_document',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    holderFiscalCode: p.string().length(16),
    kind: p.enum(DOCUMENT_KINDS),
    number: p.string().length(20),
    issuedOn: p.string().length(10),
    /** The date printed on the document. */
    printedExpiresOn: p.string().length(10),
    /** Last valid day: the printed date, or the paper-card cut-off when earlier. */
    expiresOn: p.string().length(10),
    /** A newer document replaced it (renewal, loss): no more reminders. */
    replacedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['comune', 'kind', 'number'] }],
  indexes: [{ properties: ['comune', 'holderFiscalCode'] }, { properties: ['expiresOn'] }],
});
export type IdentityDocument = InferEntity<typeof IdentityDocumentEntity>;

/**
 * A reminder already emitted for a document: `offsetDays` for `document.expiring`, `null` for
 * `document.expired`. Written in the same transaction as the outbox event, so the daily job emits
 * each reminder once however often it runs.
 */
export const DocumentReminderEntity = defineEntity({
  name: 'DocumentReminder',
  tableName: 'document_reminder',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    documentId: p.uuid(),
    kind: p.enum(['expiring', 'expired'] as const),
    /** The configured offset this reminder stands for; -1 for `expired`. */
    offsetDays: p.integer(),
    eventId: p.string().length(40),
    sentOn: p.string().length(10),
  },
  uniques: [{ properties: ['documentId', 'kind', 'offsetDays'] }],
});
export type DocumentReminder = InferEntity<typeof DocumentReminderEntity>;
