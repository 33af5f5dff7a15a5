/**
 * Documents the applicant sends with a reply to a notice of obstacles. Uploaded one by one as the
 * raw body of `POST /residence-change-documents` (the same way as practice attachments), then named
 * by the reply; the type is detected from the content, the size and number are bounded, and the
 * bytes are stored beside their SHA-256.
 */
import { createHash } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  type EntityManager,
  type IsoDate,
  checkUploadedFile,
  UploadRefusal,
} from '@sportello/platform';
import type { ResidenceChange } from '../entities/residence-change.entity.js';
import {
  ResidenceChangeDocumentContentEntity,
  ResidenceChangeDocumentEntity,
  type ResidenceChangeDocument,
} from '../entities/residence-change-document.entity.js';
import { replyRefusal } from './residence-change.js';

/** Upload path: `POST /residence-change-documents?residenceChangeId=<id>&filename=<name>`, the file as the body. */
export const RESIDENCE_CHANGE_DOCUMENTS_PATH = '/residence-change-documents';
/** Download path: `GET /residence-change-documents/content?id=<document id>`. */
export const RESIDENCE_CHANGE_DOCUMENT_CONTENT_PATH = '/residence-change-documents/content';

/** Most documents one declaration's replies may carry, sent or waiting to be sent. */
export const MAX_REPLY_DOCUMENTS = 10;
/** Types a reply document may have: PDF and the usual photo formats. */
export const REPLY_DOCUMENT_TYPES: readonly string[] = ['application/pdf', 'image/png', 'image/jpeg'];

/** Why an upload is refused, with the HTTP status it is answered with. */
export class DocumentRefusal extends UploadRefusal {
  override readonly name = 'DocumentRefusal';
}

/** A file as the upload route received it. */
export interface DocumentUpload {
  filename: string;
  declaredType: string | undefined;
  bytes: Buffer;
}

/** Checks an upload and returns its detected type. @throws UploadRefusal */
export function checkDocumentUpload(upload: DocumentUpload, maxBytes: number): string {
  return checkUploadedFile(upload, maxBytes, REPLY_DOCUMENT_TYPES);
}

/**
 * Stores a document for the applicant's reply, while the notice of obstacles can still be answered.
 *
 * @throws ForbiddenError (not the applicant), ConflictError (nothing to answer, or too late),
 * DocumentRefusal (the declaration already holds {@link MAX_REPLY_DOCUMENTS}).
 */
export async function storeReplyDocument(
  em: EntityManager,
  change: ResidenceChange,
  applicantFiscalCode: string,
  upload: DocumentUpload,
  mimeType: string,
  today: IsoDate,
  now: Date,
): Promise<ResidenceChangeDocument> {
  if (change.applicantFiscalCode !== applicantFiscalCode) {
    throw new ForbiddenError('Only the applicant can answer the notice of obstacles.', {
      reason: 'NOT_APPLICANT',
    });
  }
  const why = replyRefusal(
    {
      status: change.status,
      declaredOn: change.declaredOn,
      obstaclesNotifiedOn: change.obstaclesNotifiedOn ?? null,
    },
    today,
  );
  if (why !== null)
    throw new ConflictError(`Declaration ${change.id}: ${why}`, { field: 'residenceChangeId' });
  const held = await em.count(ResidenceChangeDocumentEntity, { residenceChangeId: change.id });
  if (held >= MAX_REPLY_DOCUMENTS) {
    throw new DocumentRefusal(
      400,
      'BAD_USER_INPUT',
      `Declaration ${change.id} already has ${held} documents, the most its replies can carry`,
      'residenceChangeId',
    );
  }
  const document = em.create(ResidenceChangeDocumentEntity, {
    comune: change.comune,
    residenceChangeId: change.id,
    filename: upload.filename.trim(),
    mimeType,
    size: upload.bytes.length,
    sha256: createHash('sha256').update(upload.bytes).digest('hex'),
    uploaderFiscalCode: applicantFiscalCode,
    uploadedAt: now,
    replyAt: null,
  });
  em.create(ResidenceChangeDocumentContentEntity, {
    id: document.id,
    comune: change.comune,
    content: upload.bytes,
  });
  await em.flush();
  return document;
}

/**
 * The uploaded documents a reply names, each checked to be one of this declaration's not yet sent
 * with another reply, in the order given.
 *
 * @throws BadUserInputError naming the `documentIds` entry at fault
 */
export async function documentsForReply(
  em: EntityManager,
  change: ResidenceChange,
  documentIds: readonly string[],
): Promise<ResidenceChangeDocument[]> {
  if (documentIds.length > MAX_REPLY_DOCUMENTS) {
    throw new BadUserInputError(`documentIds: ${MAX_REPLY_DOCUMENTS} documents at most`, {
      field: 'documentIds',
    });
  }
  const valid = documentIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const found =
    valid.length === 0
      ? []
      : await em.find(ResidenceChangeDocumentEntity, { id: { $in: valid }, residenceChangeId: change.id });
  return documentIds.map((id, index) => {
    const document = found.find((row) => row.id === id.toLowerCase());
    if (document === undefined) {
      throw new BadUserInputError(
        `documentIds.${index}: no document ${id} was uploaded for this declaration (upload it to /residence-change-documents first)`,
        { field: ['documentIds', index] },
      );
    }
    if (documentIds.indexOf(id) !== index) {
      throw new BadUserInputError(`documentIds.${index}: document ${id} is named twice`, {
        field: ['documentIds', index],
      });
    }
    if ((document.replyAt ?? null) !== null) {
      throw new BadUserInputError(`documentIds.${index}: document ${id} was already sent with a reply`, {
        field: ['documentIds', index],
      });
    }
    return document;
  });
}
