import { httpStatusOfCode, isClientError } from '../errors/client-errors.js';
import { detectFileType } from './file-types.js';
import { PayloadTooLargeError, type ServiceRequest } from './service-request.js';
import type { RouteResponse } from './service-server.js';

/** Why an upload route refuses a file, with the HTTP status it answers. */
export class UploadRefusal extends Error {
  override readonly name: string = 'UploadRefusal';
  constructor(
    readonly status: 400 | 409 | 413 | 415,
    readonly code: 'BAD_USER_INPUT' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A file as an upload route received it: the raw body, its file name and declared type. */
export interface UploadedFile {
  filename: string;
  declaredType: string | undefined;
  bytes: Buffer;
}

/**
 * Checks an uploaded file (not empty, at most `maxBytes`, a file name without slashes, content of
 * one of the `allowed` types as detected from its bytes, and any declared type agreeing) and returns
 * its detected MIME type.
 * @param filenameField the route's name for the file name, as refusals name it. @default 'filename'
 * @throws {UploadRefusal} naming what is wrong and where (`body`, the file name, `content-type`).
 */
export function checkUploadedFile(
  upload: UploadedFile,
  maxBytes: number,
  allowed: readonly string[],
  filenameField = 'filename',
): string {
  if (upload.bytes.length === 0) throw new UploadRefusal(400, 'BAD_USER_INPUT', 'The file is empty', 'body');
  if (upload.bytes.length > maxBytes) {
    throw new UploadRefusal(
      413,
      'PAYLOAD_TOO_LARGE',
      `The file exceeds the limit of ${maxBytes} bytes`,
      'body',
    );
  }
  const filename = upload.filename.trim();
  if (filename === '' || filename.length > 255 || /[/\\\0]/.test(filename)) {
    throw new UploadRefusal(
      400,
      'BAD_USER_INPUT',
      `${filenameField} must be 1-255 characters without slashes`,
      filenameField,
    );
  }
  const detected = detectFileType(upload.bytes);
  if (detected === null || !allowed.includes(detected)) {
    throw new UploadRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `The content is not an accepted file type (accepted: ${allowed.join(', ')})`,
      'body',
    );
  }
  const declared = upload.declaredType?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream' && declared !== detected) {
    throw new UploadRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `The content is ${detected} but was declared as ${declared}`,
      'content-type',
    );
  }
  return detected;
}

/** An upload route's JSON error: `{ error: { code, message, field?, ... } }`. */
export function uploadProblem(
  status: number,
  code: string,
  message: string,
  field?: string,
  detail: Record<string, unknown> = {},
): RouteResponse {
  return { status, json: { error: { code, message, ...(field === undefined ? {} : { field }), ...detail } } };
}

/**
 * Runs an upload or download route, turning its refusals into JSON answers as GraphQL would give
 * them: an `UploadRefusal` with its status, a body past the limit as 413 `PAYLOAD_TOO_LARGE` on
 * `body`, a client error with its code's status (and what an app lacks: `reason`, `scope`).
 * Anything unexpected is rethrown (500, its text never shown).
 */
export async function answeringUpload(
  request: ServiceRequest,
  work: () => Promise<RouteResponse>,
): Promise<RouteResponse> {
  try {
    return await work();
  } catch (error) {
    // Let a client still sending a refused upload finish, so it reads the answer.
    request.raw.resume();
    if (error instanceof UploadRefusal)
      return uploadProblem(error.status, error.code, error.message, error.field);
    if (error instanceof PayloadTooLargeError) {
      return uploadProblem(
        413,
        'PAYLOAD_TOO_LARGE',
        `The file exceeds the limit of ${error.limitBytes} bytes`,
        'body',
      );
    }
    if (isClientError(error)) {
      const code = String(error.extensions.code);
      const field = typeof error.extensions['field'] === 'string' ? error.extensions['field'] : undefined;
      const { reason, scope } = error.extensions;
      const detail = {
        ...(reason === undefined ? {} : { reason }),
        ...(scope === undefined ? {} : { scope }),
      };
      return uploadProblem(httpStatusOfCode(code), code, error.message, field, detail);
    }
    throw error;
  }
}

/**
 * A download route's answer for a stored upload: the bytes as an attachment under their file name,
 * as the type detected at upload (never sniffed by the browser), and never cached.
 */
export function privateDownload(
  file: { filename: string; mimeType: string },
  content: Uint8Array,
): RouteResponse {
  return {
    status: 200,
    headers: {
      'content-type': file.mimeType,
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
    body: new Uint8Array(content),
  };
}
