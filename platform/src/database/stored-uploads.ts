import { defineEntity, p } from '@mikro-orm/core';
import { tenantProperties } from './tenancy.js';

/**
 * Properties of a stored upload that a service's document entity spreads into its own: the file
 * name, the type detected from the content (magic bytes, not the one the client declared: see
 * `checkUploadedFile`), the size in bytes and the hex SHA-256 of the content.
 */
export function uploadedFileProperties() {
  return {
    filename: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.integer(),
    sha256: p.string().length(64),
  };
}

/**
 * The entity holding the bytes of a service's stored uploads, one row per upload under the upload's
 * id, kept apart from the upload's own record so listing uploads never loads them.
 *
 * @example
 * export const AttachmentContentEntity = uploadContentEntity('AttachmentContent', 'attachment_content');
 */
export function uploadContentEntity<const Name extends string, const Table extends string>(
  name: Name,
  tableName: Table,
) {
  return defineEntity({
    name,
    tableName,
    properties: { id: p.uuid().primary(), ...tenantProperties(), content: p.blob() },
  });
}
