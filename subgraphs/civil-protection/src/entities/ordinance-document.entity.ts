import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uploadContentEntity, uuidPrimaryKey } from '@sportello/platform';

/**
 * A document of an ordinance (the signed act, an annex map) as published on the Albo Pretorio.
 * Attached while the ordinance is a draft; public, and never changed, once it is published. The
 * bytes live in {@link OrdinanceDocumentContentEntity}.
 */
export const OrdinanceDocumentEntity = defineEntity({
  name: 'OrdinanceDocument',
  tableName: 'ordinance_document',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    ordinanceId: p.uuid().index(),
    /** What the document is, e.g. `Testo dell'ordinanza firmato digitalmente`. */
    title: p.string().length(200),
    fileName: p.string().length(255),
    /** Detected from the content (magic bytes), not from what the client declared. */
    mediaType: p.string().length(100),
    bytes: p.integer(),
    /** Hex SHA-256 of the content: its fingerprint for anyone checking a copy. */
    sha256: p.string().length(64),
    /** Display order among the ordinance's documents. */
    position: p.integer(),
    uploadedBy: p.string().length(200),
    uploadedAt: p.datetime(),
  },
  uniques: [{ properties: ['ordinanceId', 'sha256'] }],
});
export type OrdinanceDocument = InferEntity<typeof OrdinanceDocumentEntity>;

/** The bytes of the ordinances' documents. */
export const OrdinanceDocumentContentEntity = uploadContentEntity(
  'OrdinanceDocumentContent',
  'ordinance_document_content',
);
export type OrdinanceDocumentContent = InferEntity<typeof OrdinanceDocumentContentEntity>;
