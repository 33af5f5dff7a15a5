/**
 * Attachments of practices and reports: the type is detected from the content's magic bytes (the
 * client's declared type must agree), the size is bounded, and the bytes are stored in the
 * database beside their SHA-256.
 */
import { createHash } from 'node:crypto';
import { OptimisticLockError } from '@mikro-orm/core';
import {
  ConflictError,
  DETECTABLE_FILE_TYPES,
  detectFileType,
  type EntityManager,
  checkUploadedFile,
  UploadRefusal,
} from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { AttachmentContentEntity, AttachmentEntity, type Attachment } from '../entities/attachment.entity.js';
import type { Practice } from '../entities/practice.entity.js';
import { PracticeTypeEntity } from '../entities/practice-type.entity.js';
import type { Report } from '../entities/report.entity.js';
import { concurrentChange } from '../errors.js';
import { EDITABLE_STATUSES } from './workflow.js';

/** Most files the applicant may attach to one practice (staff's own files do not count). */
export const MAX_ATTACHMENTS_PER_PRACTICE = 20;
/** Most photos of one report. */
export const MAX_PHOTOS_PER_REPORT = 10;
/** The kind of an attachment the practice type does not list (a cover letter, a further document). */
export const OTHER_ATTACHMENT_KIND = 'other';

/** MIME types an attachment may have: every type the platform recognises from the content. */
export const ALLOWED_MIME_TYPES: readonly string[] = DETECTABLE_FILE_TYPES;
/** Photos of reports: images only. */
export const PHOTO_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** The MIME type the content really has, or null when it is none of the accepted ones. */
export const detectMimeType = detectFileType;

/** Why an upload is refused, with the HTTP status it maps to. */
export class AttachmentRejection extends UploadRefusal {
  override readonly name = 'AttachmentRejection';
}

export interface Upload {
  filename: string;
  kind: string;
  declaredType: string | undefined;
  bytes: Buffer;
}

/** Checks an upload and returns its detected type. @throws UploadRefusal */
export function checkUpload(upload: Upload, maxBytes: number, allowed: readonly string[]): string {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(upload.kind)) {
    throw new AttachmentRejection(
      400,
      'BAD_USER_INPUT',
      'kind must be a required-attachment code or "other"',
      'kind',
    );
  }
  return checkUploadedFile(upload, maxBytes, allowed);
}

/** Stores an upload on a practice (editable ones only) or a report. */
export async function storeAttachment(
  em: EntityManager,
  target: { practice: Practice } | { report: Report },
  upload: Upload,
  mimeType: string,
  by: 'citizen' | 'staff',
  actor: Actor,
  now: Date,
): Promise<Attachment> {
  if ('practice' in target && by === 'citizen' && !EDITABLE_STATUSES.includes(target.practice.status)) {
    throw new AttachmentRejection(
      409,
      'CONFLICT',
      `Practice ${target.practice.id} is ${target.practice.status}: attachments can be added only when it is ${EDITABLE_STATUSES.join(', ')}`,
    );
  }
  if ('practice' in target) {
    await checkPracticeAttachment(em, target.practice, upload.kind, by);
  } else {
    const photos = await em.count(AttachmentEntity, { reportId: target.report.id });
    if (photos >= MAX_PHOTOS_PER_REPORT) {
      throw new AttachmentRejection(
        400,
        'BAD_USER_INPUT',
        `Report ${target.report.id} already has ${photos} photos, the most a report can have`,
        'reportId',
      );
    }
  }
  const comune = 'practice' in target ? target.practice.comune : target.report.comune;
  const attachment = em.create(AttachmentEntity, {
    comune,
    practiceId: 'practice' in target ? target.practice.id : null,
    reportId: 'report' in target ? target.report.id : null,
    kind: upload.kind,
    filename: upload.filename.trim(),
    mimeType,
    size: upload.bytes.length,
    sha256: createHash('sha256').update(upload.bytes).digest('hex'),
    uploadedBy: by,
    uploaderId: actor.id,
    uploadedAt: now,
  });
  em.create(AttachmentContentEntity, { id: attachment.id, comune, content: upload.bytes });
  if ('practice' in target) {
    // The practice's version moves with each file, so two uploads at once cannot both take the
    // last free place: the second is told the practice changed.
    target.practice.updatedAt = now;
  }
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof OptimisticLockError && 'practice' in target) {
      throw concurrentChange(target.practice.id);
    }
    throw error;
  }
  return attachment;
}

/**
 * An applicant's file must be of a kind the practice type lists (or `other`), and a practice holds
 * at most {@link MAX_ATTACHMENTS_PER_PRACTICE} of them. @throws AttachmentRejection (400)
 */
async function checkPracticeAttachment(
  em: EntityManager,
  practice: Practice,
  kind: string,
  by: 'citizen' | 'staff',
): Promise<void> {
  const type = await em.findOne(PracticeTypeEntity, { code: practice.typeCode });
  const listed = (type?.requiredAttachments ?? []).map((attachment) => attachment.code);
  if (kind !== OTHER_ATTACHMENT_KIND && !listed.includes(kind)) {
    throw new AttachmentRejection(
      400,
      'BAD_USER_INPUT',
      `kind "${kind}" is not an attachment of ${type?.title ?? practice.typeCode}: use ${[...listed, OTHER_ATTACHMENT_KIND].map((code) => `"${code}"`).join(', ')}`,
      'kind',
    );
  }
  if (by !== 'citizen') return;
  const attached = await em.count(AttachmentEntity, { practiceId: practice.id, uploadedBy: 'citizen' });
  if (attached >= MAX_ATTACHMENTS_PER_PRACTICE) {
    throw new AttachmentRejection(
      400,
      'BAD_USER_INPUT',
      `Practice ${practice.id} already has ${attached} attachments, the most a practice can have: remove one first`,
      'practiceId',
    );
  }
}

/** Removes an attachment from an editable practice. */
export async function removeAttachment(
  em: EntityManager,
  practice: Practice,
  attachment: Attachment,
): Promise<void> {
  if (!EDITABLE_STATUSES.includes(practice.status)) {
    throw new ConflictError(
      `Practice ${practice.id} is ${practice.status}: its attachments can no longer change`,
      {
        reason: 'NOT_EDITABLE',
        status: practice.status,
      },
    );
  }
  const content = await em.findOne(AttachmentContentEntity, { id: attachment.id });
  em.remove(attachment);
  if (content !== null) em.remove(content);
  await em.flush();
}
