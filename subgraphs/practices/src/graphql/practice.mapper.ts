import type { Principal } from '@sportello/platform';
import type { Attachment } from '../entities/attachment.entity.js';
import type {
  Practice,
  PracticeChange,
  PracticeMessage,
  IntegrationRequest,
} from '../entities/practice.entity.js';
import type { PracticeType as PracticeTypeRow } from '../entities/practice-type.entity.js';
import { availableActions } from '../domain/workflow.js';
import { workflowRoleOf } from '../context.js';
import {
  AttachmentType,
  IntegrationRequestType,
  PracticeActorType,
  PracticeChangeType,
  PracticeMessageType,
  PracticeType,
} from './practice.type.js';
import { PracticeFeeType, PracticeTypeType, RequiredAttachmentType } from './practice-type.type.js';

/** The public path that serves an attachment's content. */
export function downloadPathOf(attachmentId: string): string {
  return `/attachments/content?id=${attachmentId}`;
}

export function toPracticeTypeType(row: PracticeTypeRow): PracticeTypeType {
  return Object.assign(new PracticeTypeType(), {
    code: row.code,
    title: row.title,
    office: row.office,
    description: row.description,
    formSchema: row.formSchema,
    requiredAttachments: row.requiredAttachments.map((a) => Object.assign(new RequiredAttachmentType(), a)),
    fee:
      row.feeCents == null
        ? null
        : Object.assign(new PracticeFeeType(), {
            amountCents: row.feeCents,
            viaTributi: row.feeViaTributi,
            requestedOn: row.feeRequestedOn,
          }),
    expectedDurationDays: row.expectedDurationDays,
  });
}

/** The view of a practice for a caller already allowed to see it. */
export function toPracticeType(practice: Practice, viewer: Principal): PracticeType {
  return Object.assign(new PracticeType(), {
    id: practice.id,
    typeCode: practice.typeCode,
    office: practice.office,
    status: practice.status,
    applicantFiscalCode: practice.applicantFiscalCode,
    onBehalfOfFiscalCode: practice.onBehalfOfFiscalCode ?? null,
    data: practice.data,
    protocolNumber: practice.protocolNumber ?? null,
    submittedAt: practice.submittedAt ?? null,
    registeredAt: practice.registeredAt ?? null,
    outcomeReason: practice.outcomeReason ?? null,
    availableActions: availableActions(practice.status, workflowRoleOf(viewer)),
    createdAt: practice.createdAt,
    updatedAt: practice.updatedAt,
  });
}

/** `me` is the caller's own public id (alias or username), to mark their entries. */
export function toActorType(kind: string, id: string, me: string | null): PracticeActorType {
  return Object.assign(new PracticeActorType(), { kind, id, you: me !== null && me === id });
}

export function toChangeType(change: PracticeChange, me: string | null): PracticeChangeType {
  return Object.assign(new PracticeChangeType(), {
    at: change.at,
    action: change.action,
    from: change.fromStatus ?? null,
    to: change.toStatus,
    actor: toActorType(change.actorKind, change.actorId, me),
    note: change.note ?? null,
    protocolNumber: change.protocolNumber ?? null,
  });
}

export function toMessageType(message: PracticeMessage, me: string | null): PracticeMessageType {
  return Object.assign(new PracticeMessageType(), {
    id: message.id,
    author: message.author,
    actor: toActorType(message.author, message.authorId, me),
    body: message.body,
    postedAt: message.postedAt,
  });
}

export function toIntegrationRequestType(request: IntegrationRequest): IntegrationRequestType {
  return Object.assign(new IntegrationRequestType(), {
    id: request.id,
    message: request.message,
    respondBy: request.respondBy ?? null,
    requestedAt: request.requestedAt,
    answer: request.answer ?? null,
    answeredAt: request.answeredAt ?? null,
  });
}

export function toAttachmentType(attachment: Attachment): AttachmentType {
  return Object.assign(new AttachmentType(), {
    id: attachment.id,
    kind: attachment.kind,
    filename: attachment.filename,
    mimeType: attachment.mimeType,
    size: attachment.size,
    sha256: attachment.sha256,
    uploadedBy: attachment.uploadedBy,
    uploadedAt: attachment.uploadedAt,
    downloadPath: downloadPathOf(attachment.id),
  });
}
