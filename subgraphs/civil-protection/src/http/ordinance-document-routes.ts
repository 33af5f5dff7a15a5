/**
 * The upload route of ordinance documents: staff send a signed PDF as it is, as the request body,
 * instead of base64 inside a GraphQL mutation, so acts of several megabytes fit (the gateway
 * forwards `POST /ordinance-documents` with its upload limit, not the GraphQL body limit).
 */
import type { IncomingMessage } from 'node:http';
import { isClientError, type Route, type RouteResponse, type ServiceRequest } from '@sportello/platform';
import { requireCivilProtectionStaff, type CivilProtectionContext } from '../context.js';
import {
  attachOrdinanceDocument,
  DOCUMENT_MEDIA_TYPE,
  findDraftOrdinance,
  MAX_DOCUMENT_BYTES,
  type DocumentRefusal,
} from '../domain/ordinance-documents.js';
import { toOrdinanceDocumentType } from '../graphql/ordinance.mapper.js';

/**
 * Upload path: `POST /ordinance-documents?ordinanceId=<id>&title=<title>&fileName=<name>`, the PDF
 * as the body with `Content-Type: application/pdf`.
 */
export const ORDINANCE_DOCUMENTS_PATH = '/ordinance-documents';

const HTTP_STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
};

/** The answer to a content the domain refused, by reason; any other reason is a 400. */
const CONTENT_REFUSALS: Partial<Record<DocumentRefusal, { status: number; code: string }>> = {
  TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  NOT_PDF: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
};

/** A refusal the route decides itself (content type, size while reading). */
class UploadRefusal extends Error {
  override readonly name = 'UploadRefusal';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function problem(
  status: number,
  code: string,
  message: string,
  field?: string,
  reason?: string,
): RouteResponse {
  return {
    status,
    json: {
      error: {
        code,
        message,
        ...(field === undefined ? {} : { field }),
        ...(reason === undefined ? {} : { reason }),
      },
    },
  };
}

const tooLarge = () =>
  new UploadRefusal(
    413,
    'PAYLOAD_TOO_LARGE',
    `The file exceeds the limit of ${MAX_DOCUMENT_BYTES} bytes (${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB)`,
    'body',
  );

/**
 * Reads the body up to `limit` bytes. A declared length beyond it is refused before reading; a body
 * growing beyond it is refused as soon as it does, its rest drained unread and nothing kept.
 */
function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        raw.off('data', onData);
        chunks.length = 0;
        raw.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    raw.on('data', onData);
    raw.once('end', () => resolve(Buffer.concat(chunks)));
    raw.once('error', reject);
  });
}

/** A field of the mutation's input as the route names it: its query parameter, or `body`. */
function routeField(field: unknown): string | undefined {
  if (typeof field !== 'string') return undefined;
  const name = field.replace(/^input\./, '');
  return name === 'content' ? 'body' : name;
}

/** Turns the errors of the route into JSON answers; anything unexpected is rethrown (500). */
async function answering(
  request: ServiceRequest,
  work: () => Promise<RouteResponse>,
): Promise<RouteResponse> {
  try {
    return await work();
  } catch (error) {
    // Let a client still sending a refused upload finish, so it reads the answer.
    request.raw.resume();
    if (error instanceof UploadRefusal) return problem(error.status, error.code, error.message, error.field);
    if (isClientError(error)) {
      const code = String(error.extensions.code);
      const reason = typeof error.extensions['reason'] === 'string' ? error.extensions['reason'] : undefined;
      const refusal = code === 'BAD_USER_INPUT' ? CONTENT_REFUSALS[reason as DocumentRefusal] : undefined;
      return problem(
        refusal?.status ?? HTTP_STATUS[code] ?? 400,
        refusal?.code ?? code,
        error.message,
        routeField(error.extensions['field']),
        reason,
      );
    }
    throw error;
  }
}

/**
 * `POST /ordinance-documents`: attaches the PDF in the body to a draft ordinance, through the same
 * domain function as the `attachOrdinanceDocument` mutation (same checks, same SHA-256, the same
 * file again is the same document), for the same callers (staff of the civil-protection office).
 * Answers 201 with `{ document }` as the GraphQL type describes it (200 when the file was already
 * attached), or `{ error: { code, message, field } }`: 400, 401, 403, 404 (no such ordinance), 409
 * (published, or too many documents), 413 (beyond `MAX_DOCUMENT_BYTES`, refused without reading
 * further), 415 (not sent as `application/pdf`, or not a PDF).
 */
export function ordinanceDocumentRoutes(options: {
  context: (request: ServiceRequest) => Promise<CivilProtectionContext>;
}): Route[] {
  return [
    {
      method: 'POST',
      path: ORDINANCE_DOCUMENTS_PATH,
      handler: (request) =>
        answering(request, async () => {
          const ctx = await options.context(request);
          const actor = requireCivilProtectionStaff(ctx);
          const declared = request.header('content-type')?.split(';')[0]?.trim().toLowerCase();
          if (declared !== DOCUMENT_MEDIA_TYPE) {
            throw new UploadRefusal(
              415,
              'UNSUPPORTED_MEDIA_TYPE',
              `Send the document as ${DOCUMENT_MEDIA_TYPE}${declared ? `, not ${declared}` : ''}`,
              'content-type',
            );
          }
          const params = request.url.searchParams;
          const ordinanceId = params.get('ordinanceId') ?? '';
          if (ordinanceId === '') {
            throw new UploadRefusal(400, 'BAD_USER_INPUT', 'Give the ordinanceId of a draft', 'ordinanceId');
          }
          // Unknown or published: said before the file is read.
          await findDraftOrdinance(ctx.em, ordinanceId);
          const content = await readBody(request.raw, MAX_DOCUMENT_BYTES);
          const { document, created } = await attachOrdinanceDocument(
            ctx.em,
            ctx.principal.comune,
            ordinanceId,
            actor,
            { title: params.get('title') ?? '', fileName: params.get('fileName') ?? '', content },
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
