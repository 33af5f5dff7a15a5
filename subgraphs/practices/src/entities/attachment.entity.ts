import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import {
  tenantProperties,
  uploadContentEntity,
  uploadedFileProperties,
  uuidPrimaryKey,
} from '@sportello/platform';

/** A file added to a practice or a report; the bytes live in {@link AttachmentContentEntity}. */
export const AttachmentEntity = defineEntity({
  name: 'Attachment',
  tableName: 'attachment',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    practiceId: p.uuid().nullable().index(),
    reportId: p.uuid().nullable().index(),
    /** The required-attachment code it fulfils (e.g. `identity-document`), or `other`. */
    kind: p.string().length(100),
    ...uploadedFileProperties(),
    uploadedBy: p.enum(['citizen', 'staff'] as const),
    uploaderId: p.string().length(200),
    uploadedAt: p.datetime(),
  },
});
export type Attachment = InferEntity<typeof AttachmentEntity>;

/** The bytes of the attachments. */
export const AttachmentContentEntity = uploadContentEntity('AttachmentContent', 'attachment_content');
export type AttachmentContent = InferEntity<typeof AttachmentContentEntity>;
