/**
 * The upload route of ordinance documents: staff send a signed PDF as it is, as the request body,
 * instead of base64 inside a GraphQL mutation, so acts of several megabytes fit (the gateway
 * forwards `POST /ordinance-documents` with its upload limit, not the GraphQL body limit).
 */
import {
  answeringUpload,
  checkUploadedFile,
  readBounded,
  UploadRefusal,
  type Route,
  type ServiceRequest,
} from '@sportello/platform';
import type { CivilProtectionContext } from '../context.js';
import { requireCivilProtectionStaff } from '../domain/access.js';
import {
  attachOrdinanceDocument,
  DOCUMENT_MEDIA_TYPE,
  findDraftOrdinance,
  isPdf,
  MAX_DOCUMENT_BYTES,
} from '../domain/ordinance-documents.js';
import { toOrdinanceDocumentType } from '../graphql/ordinance.mapper.js';

/**
 * Upload path: `POST /ordinance-documents?ordinanceId=<id>&title=<title>&fileName=<name>`, the PDF
 * as the body (`Content-Type: application/pdf`, or none, or `application/octet-stream`).
 */
export const ORDINANCE_DOCUMENTS_PATH = '/ordinance-documents';

/**
 * `POST /ordinance-documents`: attaches the PDF in the body to a draft ordinance, through the same
 * domain function as the `attachOrdinanceDocument` mutation (same checks, same SHA-256, the same
 * file again is the same document), for the same callers (staff of the civil-protection office).
 * The file is checked as every upload route checks it (the platform's `checkUploadedFile`) and
 * refusals are answered as every upload route answers them (`answeringUpload`).
 * Answers 201 with `{ document }` as the GraphQL type describes it (200 when the file was already
 * attached), or `{ error: { code, message, field } }`: 400 (no ordinanceId, no title, an empty file,
 * a file name with slashes), 401, 403, 404 (no such ordinance), 409 (published, or too many
 * documents, with their `reason`), 413 (beyond `MAX_DOCUMENT_BYTES`, refused without reading
 * further), 415 (not a PDF, a PDF cut short, or declared as another type).
 */
export function ordinanceDocumentRoutes(options: {
  context: (request: ServiceRequest) => Promise<CivilProtectionContext>;
}): Route[] {
  return [
    {
      method: 'POST',
      path: ORDINANCE_DOCUMENTS_PATH,
      handler: (request) =>
        answeringUpload(request, async () => {
          const ctx = await options.context(request);
          const actor = requireCivilProtectionStaff(ctx);
          const params = request.url.searchParams;
          const ordinanceId = params.get('ordinanceId') ?? '';
          if (ordinanceId === '') {
            throw new UploadRefusal(400, 'BAD_USER_INPUT', 'Give the ordinanceId of a draft', 'ordinanceId');
          }
          // Unknown or published: said before the file is read.
          await findDraftOrdinance(ctx.em, ordinanceId);
          const fileName = params.get('fileName') ?? '';
          const content = await readBounded(request.raw, MAX_DOCUMENT_BYTES);
          checkUploadedFile(
            { filename: fileName, declaredType: request.header('content-type'), bytes: content },
            MAX_DOCUMENT_BYTES,
            [DOCUMENT_MEDIA_TYPE],
            'fileName',
          );
          // What the Albo Pretorio publishes must be whole: the start of a PDF is not enough.
          if (!isPdf(content)) {
            throw new UploadRefusal(
              415,
              'UNSUPPORTED_MEDIA_TYPE',
              'The content starts as a PDF but has no %%EOF marker at its end: the file was cut short',
              'body',
            );
          }
          const { document, created } = await attachOrdinanceDocument(
            ctx.em,
            ctx.principal.comune,
            ordinanceId,
            actor,
            { title: params.get('title') ?? '', fileName, content },
            ctx.now,
          );
          return {
            status: created ? 201 : 200,
            json: { document: toOrdinanceDocumentType(document, false, ctx.publicUrl) },
          };
        }),
    },
  ];
}
