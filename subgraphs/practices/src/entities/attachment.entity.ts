import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';

/** A file added to a practice or a report; the bytes live in {@link AttachmentContentEntity}. */
export const AttachmentEntity = defineEntity({
  name: 'Attachment',
  tableName: 'attachment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    ...tenantProperties(),
    practiceId: p.uuid().nullable().index(),
    reportId: p.uuid().nullable().index(),
    /** The required-attachment code it fulfils (e.g. `identity-document`), or `other`. */
    kind: p.string().length(100),
    filename: p.string().length(255),
    /** The type detected from the content (magic bytes), not the one the client declared. */
    mimeType: p.string().length(100),
    size: p.integer(),
    sha256: p.string().length(64),
    uploadedBy: p.enum(['citizen', 'staff'] as const),
    uploaderId: p.string().length(200),
    uploadedAt: p.datetime(),
  },
});
export type Attachment = InferEntity<typeof AttachmentEntity>;

/** The bytes of an attachment, kept apart so listing attachments never loads them. */
export const AttachmentContentEntity = defineEntity({
  name: 'AttachmentContent',
  tableName: 'attachment_content',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    content: p.blob(),
  },
});
export type AttachmentContent = InferEntity<typeof AttachmentContentEntity>;
