import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import {
  tenantProperties,
  uploadContentEntity,
  uploadedFileProperties,
  uuidPrimaryKey,
} from '@sportello/platform';

/**
 * A document the applicant uploads for their reply to a notice of obstacles (a lease, a utility
 * bill, a photo of the doorbell). It belongs to the declaration from the upload and to a reply once
 * the reply names it (`replyAt`); the bytes live in {@link ResidenceChangeDocumentContentEntity}.
 */
export const ResidenceChangeDocumentEntity = defineEntity({
  name: 'ResidenceChangeDocument',
  tableName: 'residence_change_document',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    residenceChangeId: p.uuid().index(),
    ...uploadedFileProperties(),
    uploaderFiscalCode: p.string().length(16),
    uploadedAt: p.datetime(),
    /** When the reply that sends it was made (the reply's `at`); null while not yet sent. */
    replyAt: p.string().length(30).nullable(),
  },
});
export type ResidenceChangeDocument = InferEntity<typeof ResidenceChangeDocumentEntity>;

/** The bytes of the reply documents. */
export const ResidenceChangeDocumentContentEntity = uploadContentEntity(
  'ResidenceChangeDocumentContent',
  'residence_change_document_content',
);
export type ResidenceChangeDocumentContent = InferEntity<typeof ResidenceChangeDocumentContentEntity>;
