import { createHash } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { UNNAMED_COMUNE } from './generations.js';

/** Header an anonymous caller uses to pick a comune (the subgraphs read the same one). */
export const COMUNE_HEADER = 'x-comune';

/** A request for public data: who may share its answer, and under which key. */
export interface PublicRequest {
  /** The `x-comune` the request names, or {@link UNNAMED_COMUNE}. */
  comune: string;
  /** Everything the answer depends on besides the comune: document, operation, variables, Accept. */
  key: string;
}

/** The document fields of a request, as the gateway reads them before execution. */
export interface RequestDocument {
  query?: string;
  persistedHash?: string;
  operationName?: string;
  /** Variables as sent: an object in a POST body, JSON text in a GET `variables` parameter. */
  variables?: unknown;
}

/**
 * Content types a browser may send cross-site without a preflight; Apollo Server's CSRF prevention
 * refuses such requests unless they carry one of {@link PREFLIGHT_HEADERS}.
 */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

/**
 * Whether Apollo Server's CSRF prevention lets the request through. A cached answer must not be
 * served to a request that would have been refused had it reached Apollo.
 */
export function passesCsrfPrevention(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (contentType && !SIMPLE_CONTENT_TYPES.has(contentType)) return true;
  return PREFLIGHT_HEADERS.some((name) => {
    const value = req.headers[name];
    return typeof value === 'string' && value !== '';
  });
}

/**
 * The public request an HTTP request is, or `undefined` when its answer must not be shared.
 *
 * Public means: no `Authorization` header at all (anonymous: subgraphs answer it with what anybody
 * may read), a document identified by its text or its SHA-256 (an APQ hash names the same text, so
 * both share one key), and nothing in it that would fail before Apollo sees it. Whether it is a
 * query without errors is only known once it ran; the caller stores nothing else.
 */
export function publicRequestOf(req: IncomingMessage, document: RequestDocument): PublicRequest | undefined {
  if (req.headers.authorization !== undefined) return undefined;
  if (req.method !== 'GET' && req.method !== 'POST') return undefined;
  if (!passesCsrfPrevention(req)) return undefined;
  const documentId =
    document.query !== undefined
      ? createHash('sha256').update(document.query).digest('hex')
      : document.persistedHash;
  if (documentId === undefined) return undefined;
  let variables: unknown = document.variables ?? null;
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables);
    } catch {
      return undefined;
    }
  }
  const comune = req.headers[COMUNE_HEADER];
  return {
    comune: typeof comune === 'string' && comune.trim() !== '' ? comune.trim() : UNNAMED_COMUNE,
    key: JSON.stringify([documentId, document.operationName ?? null, variables, req.headers.accept ?? '']),
  };
}
