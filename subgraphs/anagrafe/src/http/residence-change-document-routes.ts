import {
  answeringUpload,
  privateDownload,
  uploadProblem,
  isClientError,
  readBounded,
  requireAppScope,
  type DatabaseRequestContext,
  type EntityManager,
  type Route,
  type ServiceRequest,
} from '@sportello/platform';
import { createAnagrafeContext, type AnagrafeSettings } from '../context.js';
import { REPLY_DOCUMENT_UPLOAD_SCOPE } from '../graphql/mutation-scopes.js';
import { authorizeRecordRead, citizenOf, mayRead } from '../domain/access.js';
import {
  checkDocumentUpload,
  RESIDENCE_CHANGE_DOCUMENT_CONTENT_PATH,
  RESIDENCE_CHANGE_DOCUMENTS_PATH,
  storeReplyDocument,
} from '../domain/residence-change-documents.js';
import {
  ResidenceChangeDocumentContentEntity,
  ResidenceChangeDocumentEntity,
} from '../entities/residence-change-document.entity.js';
import { ResidenceChangeEntity, type ResidenceChange } from '../entities/residence-change.entity.js';
import { residenceChangeNotFound } from '../errors.js';

async function findChange(em: EntityManager, id: string): Promise<ResidenceChange | null> {
  return /^[0-9a-f-]{36}$/i.test(id) ? em.findOne(ResidenceChangeEntity, { id: id.toLowerCase() }) : null;
}

/**
 * The documents of replies to notices of obstacles: the applicant uploads each as the raw request
 * body (not base64, not multipart; the same way as practice attachments), authorised by the same
 * bearer token as GraphQL and bounded by `maxBytes` instead of the server's JSON body limit; the
 * people moving (and whoever may read their declarations) and anagrafe staff download them, staff
 * reads audited.
 */
export function residenceChangeDocumentRoutes(options: {
  requestContext: (request: ServiceRequest) => Promise<DatabaseRequestContext<EntityManager>>;
  settings: AnagrafeSettings;
  maxBytes: number;
}): Route[] {
  const { requestContext, settings, maxBytes } = options;
  return [
    {
      method: 'POST',
      path: RESIDENCE_CHANGE_DOCUMENTS_PATH,
      handler: (request) =>
        answeringUpload(request, async () => {
          const ctx = createAnagrafeContext(await requestContext(request), settings);
          // A document goes with a reply: an app needs the reply's write scope to upload it.
          requireAppScope(ctx.principal, REPLY_DOCUMENT_UPLOAD_SCOPE);
          const id = request.url.searchParams.get('residenceChangeId') ?? '';
          const applicant = citizenOf(ctx.principal);
          const change = await findChange(ctx.em, id);
          // Whoever cannot see the declaration does not learn that it exists.
          const visible =
            change !== null &&
            (
              await Promise.all(change.movers.map((m) => mayRead(ctx, m.fiscalCode, 'residenceChanges')))
            ).some(Boolean);
          if (change === null || !visible) throw residenceChangeNotFound(id);
          if (applicant === null)
            return uploadProblem(403, 'FORBIDDEN', 'Only the applicant can answer the notice of obstacles.');
          const upload = {
            filename: request.url.searchParams.get('filename') ?? '',
            declaredType: request.header('content-type'),
            bytes: await readBounded(request.raw, maxBytes),
          };
          const mimeType = checkDocumentUpload(upload, maxBytes);
          const document = await storeReplyDocument(
            ctx.em,
            change,
            applicant,
            upload,
            mimeType,
            ctx.today,
            ctx.now,
          );
          return {
            status: 201,
            json: {
              document: {
                id: document.id,
                filename: document.filename,
                mimeType: document.mimeType,
                size: document.size,
                sha256: document.sha256,
              },
            },
          };
        }),
    },
    {
      method: 'GET',
      path: RESIDENCE_CHANGE_DOCUMENT_CONTENT_PATH,
      handler: (request) =>
        answeringUpload(request, async () => {
          const ctx = createAnagrafeContext(await requestContext(request), settings);
          const id = request.url.searchParams.get('id') ?? '';
          const notFound = uploadProblem(404, 'NOT_FOUND', `No document with id ${id}`);
          const document = /^[0-9a-f-]{36}$/i.test(id)
            ? await ctx.em.findOne(ResidenceChangeDocumentEntity, { id: id.toLowerCase() })
            : null;
          const change = document === null ? null : await findChange(ctx.em, document.residenceChangeId);
          if (document === null || change === null) return notFound;
          if (citizenOf(ctx.principal) !== change.applicantFiscalCode) {
            try {
              await authorizeRecordRead(
                ctx,
                change.applicantFiscalCode,
                'residenceChanges',
                `ResidenceChangeDocument:${document.id}`,
              );
            } catch (error) {
              if (isClientError(error) && error.code === 'FORBIDDEN') return notFound;
              throw error;
            }
          }
          // A staff download is not answered unless its audit event is stored.
          await ctx.audit.flush?.();
          const content = await ctx.em.findOneOrFail(ResidenceChangeDocumentContentEntity, {
            id: document.id,
          });
          return privateDownload(document, content.content);
        }),
    },
  ];
}
