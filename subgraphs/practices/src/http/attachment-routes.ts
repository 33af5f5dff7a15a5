import {
  answeringUpload,
  privateDownload,
  uploadProblem,
  auditPersonalDataRead,
  readBounded,
  requireAppScope,
  requireStaff,
  type DatabaseRequestContext,
  type EntityManager,
  type Office,
  type Route,
  type ServiceRequest,
} from '@sportello/platform';
import {
  canSeePractice,
  citizenActor,
  citizenConcerned,
  peopleOf,
  requireCitizen,
} from '../domain/access.js';
import { ALLOWED_MIME_TYPES, checkUpload, PHOTO_MIME_TYPES, storeAttachment } from '../domain/attachments.js';
import { findPractice } from '../domain/practice-operations.js';
import { findReport, REPORTS_OFFICE } from '../domain/report-operations.js';
import { AttachmentContentEntity, AttachmentEntity } from '../entities/attachment.entity.js';
import { practiceNotFound } from '../errors.js';
import { ATTACHMENT_UPLOAD_SCOPE } from '../graphql/mutation-scopes.js';
import { toAttachmentType } from '../graphql/practice.mapper.js';

/** Upload path: `POST /attachments?practiceId=<id>&kind=<code>&filename=<name>` (or `reportId=`). */
export const ATTACHMENTS_PATH = '/attachments';
/** Download path: `GET /attachments/content?id=<attachment id>`. */
export const ATTACHMENT_CONTENT_PATH = '/attachments/content';

/**
 * The upload and download routes. Uploads are the raw file as the request body (not base64, not
 * multipart), authorised by the same bearer token as GraphQL; their own size limit applies instead
 * of the server's JSON body limit.
 */
export function attachmentRoutes(options: {
  context: (request: ServiceRequest) => Promise<DatabaseRequestContext<EntityManager>>;
  maxBytes: number;
}): Route[] {
  return [
    {
      method: 'POST',
      path: ATTACHMENTS_PATH,
      handler: (request) =>
        answeringUpload(request, async () => {
          const ctx = await options.context(request);
          // An upload changes a practice or a report as the mutations do: the same write scope.
          requireAppScope(ctx.principal, ATTACHMENT_UPLOAD_SCOPE);
          const params = request.url.searchParams;
          const practiceId = params.get('practiceId');
          const reportId = params.get('reportId');
          if ((practiceId === null) === (reportId === null)) {
            request.raw.resume();
            return uploadProblem(400, 'BAD_USER_INPUT', 'Give either practiceId or reportId', 'practiceId');
          }
          const now = new Date();
          let target: Parameters<typeof storeAttachment>[1];
          let by: 'citizen' | 'staff' = 'citizen';
          let actor;
          if (practiceId !== null) {
            const practice = await findPractice(ctx.em, practiceId);
            if (ctx.principal.kind === 'staff') {
              if (practice === null) throw practiceNotFound(practiceId);
              const staff = requireStaff(ctx.principal, practice.office as Office);
              by = 'staff';
              actor = { kind: 'staff' as const, id: staff.username };
            } else {
              const caller = requireCitizen(ctx.principal);
              if (practice === null || !citizenConcerned(caller, practice))
                throw practiceNotFound(practiceId);
              actor = await citizenActor(ctx.em, ctx.comune, caller);
            }
            target = { practice };
          } else {
            const caller = requireCitizen(ctx.principal);
            const report = await findReport(ctx.em, reportId!);
            if (report.reporterFiscalCode == null || !peopleOf(caller).includes(report.reporterFiscalCode)) {
              return uploadProblem(404, 'NOT_FOUND', `No report with id ${reportId}`);
            }
            if (report.status === 'resolved' || report.status === 'rejected') {
              return uploadProblem(
                409,
                'CONFLICT',
                `Report ${report.id} is ${report.status}: photos can no longer be added`,
              );
            }
            actor = await citizenActor(ctx.em, ctx.comune, caller);
            target = { report };
          }
          const upload = {
            filename: params.get('filename') ?? '',
            kind: params.get('kind') ?? (reportId !== null ? 'photo' : 'other'),
            declaredType: request.header('content-type'),
            bytes: await readBounded(request.raw, options.maxBytes),
          };
          const mimeType = checkUpload(
            upload,
            options.maxBytes,
            reportId !== null ? PHOTO_MIME_TYPES : ALLOWED_MIME_TYPES,
          );
          const attachment = await storeAttachment(ctx.em, target, upload, mimeType, by, actor, now);
          return { status: 201, json: { attachment: toAttachmentType(attachment) } };
        }),
    },
    {
      method: 'GET',
      path: ATTACHMENT_CONTENT_PATH,
      handler: (request) =>
        answeringUpload(request, async () => {
          const ctx = await options.context(request);
          const id = request.url.searchParams.get('id') ?? '';
          const notFound = uploadProblem(404, 'NOT_FOUND', `No attachment with id ${id}`);
          const attachment = /^[0-9a-f-]{36}$/i.test(id)
            ? await ctx.em.findOne(AttachmentEntity, { id })
            : null;
          if (attachment === null) return notFound;
          let owner: string | null = null;
          if (attachment.practiceId != null) {
            const practice = await findPractice(ctx.em, attachment.practiceId);
            if (practice === null || !canSeePractice(ctx.principal, practice)) return notFound;
            owner = practice.applicantFiscalCode;
          } else if (attachment.reportId != null) {
            const report = await findReport(ctx.em, attachment.reportId);
            const isStaff = ctx.principal.kind === 'staff' && ctx.principal.offices.includes(REPORTS_OFFICE);
            if (!isStaff) {
              const caller = requireCitizen(ctx.principal);
              if (report.reporterFiscalCode == null || !peopleOf(caller).includes(report.reporterFiscalCode))
                return notFound;
            }
            owner = report.reporterFiscalCode ?? null;
          }
          if (owner !== null) {
            await auditPersonalDataRead(ctx, owner, {
              action: 'download',
              resource: `Attachment:${attachment.id}`,
            });
          }
          const content = await ctx.em.findOneOrFail(AttachmentContentEntity, { id: attachment.id });
          return privateDownload(attachment, content.content);
        }),
    },
  ];
}
