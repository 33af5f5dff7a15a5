/**
 * The documents of an ordinance: the signed act and its annexes, as PDF. Attached to drafts,
 * fingerprinted with SHA-256, published with the ordinance and served to anyone from then on.
 */
import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import {
  OrdinanceDocumentContentEntity,
  OrdinanceDocumentEntity,
  type OrdinanceDocument,
} from '../entities/ordinance-document.entity.js';
import { OrdinanceEntity } from '../entities/ordinance.entity.js';
import { invalidInput, ordinanceNotFound, publishedOrdinanceIsImmutable } from '../errors.js';
import type { RuleViolation } from './alert.js';
import { isPublicId } from './ids.js';
import { formatOrdinanceNumber } from './ordinance.js';

/** Largest document accepted: a signed PDF act with a map annex. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Documents one ordinance may carry. */
export const MAX_DOCUMENTS_PER_ORDINANCE = 20;
/** The only type accepted: what the Albo Pretorio publishes. */
export const DOCUMENT_MEDIA_TYPE = 'application/pdf';

/**
 * What staff send to attach a document: its title, its file name and the file, base64-encoded
 * (`contentBase64`, the GraphQL mutation) or as it is (`content`, the upload route's body). Both
 * go through the same checks; refusals name the mutation's input fields (`input.title`,
 * `input.contentBase64`) or the route's parameters (`title`, `fileName`, `body`).
 */
export type DocumentUpload = { title: string; fileName: string } & (
  { contentBase64: string; content?: never } | { content: Uint8Array; contentBase64?: never }
);

/**
 * Why a document's content was refused, in `extensions.reason` of the mutation's BAD_USER_INPUT
 * error (the upload route refuses such files before, as every upload route does: 400, 413, 415).
 */
export type DocumentRefusal = 'NOT_BASE64' | 'EMPTY' | 'TOO_LARGE' | 'NOT_PDF';

/** A rule an upload breaks; `reason` says what is wrong with its content. */
export interface DocumentViolation extends RuleViolation {
  reason?: DocumentRefusal;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Hex SHA-256 of some bytes. */
export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Whether bytes are a PDF: `%PDF-` at the start and an `%%EOF` marker near the end. */
export function isPdf(content: Uint8Array): boolean {
  const buffer = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return (
    buffer.subarray(0, 5).toString('latin1') === '%PDF-' &&
    buffer.subarray(Math.max(0, buffer.length - 1024)).includes('%%EOF', 0, 'latin1')
  );
}

/** A file name safe to show and to put in Content-Disposition: the last path part, printable. */
function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).at(-1) ?? '';
  // eslint-disable-next-line no-control-regex -- control characters have no place in a file name
  return base.replace(/[\u0000-\u001F\u007F"]/g, '').trim();
}

/** The upload's content as bytes, or why it cannot be read (base64 that is not). */
function contentOf(upload: DocumentUpload): Buffer | null {
  if (upload.content !== undefined) {
    return Buffer.from(upload.content.buffer, upload.content.byteOffset, upload.content.byteLength);
  }
  const encoded = upload.contentBase64.replace(/\s+/g, '');
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return null;
  return Buffer.from(encoded, 'base64');
}

/**
 * Checks an upload, base64 or bytes alike; returns the file or every violation. The content's
 * violations name the field it came in (`contentBase64`, or the route's `body`) and carry a `reason`.
 */
export function checkUpload(
  upload: DocumentUpload,
):
  | { ok: true; title: string; fileName: string; content: Buffer }
  | { ok: false; violations: DocumentViolation[] } {
  const violations: DocumentViolation[] = [];
  const title = upload.title.trim();
  if (title === '' || title.length > 200) {
    violations.push({ field: 'title', message: 'give the document a title, 200 characters at most' });
  }
  let fileName = cleanFileName(upload.fileName);
  if (fileName === '' || fileName.length > 255) {
    violations.push({ field: 'fileName', message: 'give a file name, 255 characters at most' });
  } else if (!/\.pdf$/i.test(fileName)) {
    fileName = `${fileName}.pdf`;
  }
  const field = upload.content !== undefined ? 'body' : 'contentBase64';
  const content = contentOf(upload);
  const refuse = (reason: DocumentRefusal, message: string) => violations.push({ field, message, reason });
  if (content === null) {
    refuse('NOT_BASE64', 'the content must be base64-encoded');
  } else if (content.length === 0) {
    refuse('EMPTY', 'the file is empty');
  } else if (content.length > MAX_DOCUMENT_BYTES) {
    refuse('TOO_LARGE', `the file exceeds ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
  } else if (!isPdf(content)) {
    refuse('NOT_PDF', 'only PDF documents are published on the Albo Pretorio: this file is not a PDF');
  }
  return violations.length > 0 || content === null
    ? { ok: false, violations }
    : { ok: true, title, fileName, content };
}

/**
 * The draft ordinance documents may be attached to.
 * @throws NotFoundError (unknown id), ConflictError (published)
 */
export async function findDraftOrdinance(em: EntityManager, ordinanceId: string) {
  const ordinance = isPublicId(ordinanceId) ? await em.findOne(OrdinanceEntity, { id: ordinanceId }) : null;
  if (ordinance === null) throw ordinanceNotFound(ordinanceId);
  if (ordinance.status === 'published') {
    throw publishedOrdinanceIsImmutable(
      ordinance.id,
      formatOrdinanceNumber(ordinance.number ?? 0, ordinance.year ?? 0),
    );
  }
  return ordinance;
}

/**
 * Attaches a PDF to a draft ordinance, whether it came base64-encoded (the mutation) or as bytes
 * (the upload route): the same checks (a PDF, its size, documents per ordinance, drafts only) and
 * the same SHA-256 fingerprint. The same file sent again is the same document (matched by its
 * SHA-256), so a retried upload adds nothing: `created` is false then.
 *
 * @throws NotFoundError, ConflictError (published, or too many documents), BadUserInputError (with
 *   `reason` for the content: see {@link DocumentRefusal})
 */
export async function attachOrdinanceDocument(
  em: EntityManager,
  comune: string,
  ordinanceId: string,
  actor: Actor,
  upload: DocumentUpload,
  now: Date,
): Promise<{ document: OrdinanceDocument; created: boolean }> {
  const checked = checkUpload(upload);
  if (!checked.ok) throw invalidInput(checked.violations, upload.content === undefined ? 'input' : null);
  const ordinance = await findDraftOrdinance(em, ordinanceId);
  const sha256 = sha256Hex(checked.content);
  const existing = await documentsOf(em, ordinance.id);
  const same = existing.find((document) => document.sha256 === sha256);
  if (same !== undefined) return { document: same, created: false };
  if (existing.length >= MAX_DOCUMENTS_PER_ORDINANCE) {
    throw new ConflictError(`An ordinance carries at most ${MAX_DOCUMENTS_PER_ORDINANCE} documents`, {
      reason: 'TOO_MANY_DOCUMENTS',
    });
  }
  const document = em.create(OrdinanceDocumentEntity, {
    comune,
    ordinanceId: ordinance.id,
    title: checked.title,
    fileName: checked.fileName,
    mediaType: DOCUMENT_MEDIA_TYPE,
    bytes: checked.content.length,
    sha256,
    position: Math.max(0, ...existing.map((d) => d.position + 1)),
    uploadedBy: actor.id,
    uploadedAt: now,
  });
  em.create(OrdinanceDocumentContentEntity, { id: document.id, comune, content: checked.content });
  em.assign(ordinance, { updatedAt: now });
  await em.flush();
  return { document, created: true };
}

/** Removes a document from a draft. @throws NotFoundError, ConflictError (published ordinance) */
export async function removeOrdinanceDocument(em: EntityManager, documentId: string, now: Date) {
  const document = isPublicId(documentId)
    ? await em.findOne(OrdinanceDocumentEntity, { id: documentId })
    : null;
  if (document === null) throw new NotFoundError(`No document with id ${documentId}`);
  const ordinance = await findDraftOrdinance(em, document.ordinanceId);
  await em.nativeDelete(OrdinanceDocumentContentEntity, { id: document.id });
  em.remove(document);
  em.assign(ordinance, { updatedAt: now });
  await em.flush();
  return ordinance;
}

/** The documents of an ordinance, in order. */
export async function documentsOf(em: EntityManager, ordinanceId: string): Promise<OrdinanceDocument[]> {
  return em.find(OrdinanceDocumentEntity, { ordinanceId }, { orderBy: { position: 'asc' } });
}

/** The documents of several ordinances, by ordinance id (one query). */
export async function documentsByOrdinance(
  em: EntityManager,
  ordinanceIds: readonly string[],
): Promise<Map<string, OrdinanceDocument[]>> {
  const byOrdinance = new Map<string, OrdinanceDocument[]>(ordinanceIds.map((id) => [id, []]));
  if (ordinanceIds.length === 0) return byOrdinance;
  const rows = await em.find(
    OrdinanceDocumentEntity,
    { ordinanceId: { $in: [...ordinanceIds] } },
    { orderBy: { ordinanceId: 'asc', position: 'asc' } },
  );
  for (const row of rows) byOrdinance.get(row.ordinanceId)?.push(row);
  return byOrdinance;
}

/** A published document with its bytes, or `null` (unknown id, or its ordinance is a draft). */
export async function publishedDocument(
  em: EntityManager,
  documentId: string,
): Promise<{ document: OrdinanceDocument; content: Buffer } | null> {
  const document = isPublicId(documentId)
    ? await em.findOne(OrdinanceDocumentEntity, { id: documentId })
    : null;
  if (document === null) return null;
  const ordinance = await em.findOne(OrdinanceEntity, { id: document.ordinanceId, status: 'published' });
  if (ordinance === null) return null;
  const stored = await em.findOne(OrdinanceDocumentContentEntity, { id: document.id });
  if (stored === null) return null;
  return { document, content: Buffer.from(stored.content) };
}
