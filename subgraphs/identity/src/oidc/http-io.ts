import type { RouteResponse, ServiceRequest } from '@sportello/platform';
import { OAuthError } from '../errors.js';

/**
 * Reads a form-encoded or JSON body into its string fields.
 *
 * @throws {OAuthError} `invalid_request` for a JSON body that is not an object.
 */
export async function readFields(request: ServiceRequest): Promise<Record<string, string>> {
  const type = request.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = await request.json();
    } catch {
      throw new OAuthError('invalid_request', 'body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new OAuthError('invalid_request', 'body must be a JSON object');
    }
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  }
  return Object.fromEntries(await request.form());
}

/** A JSON answer that no cache keeps (RFC 6749 5.1 for token responses). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): RouteResponse {
  return { status, json: body, headers: { 'cache-control': 'no-store', ...headers } };
}

/** An HTML page that cannot be framed and runs no script. */
export function html(status: number, title: string, body: string, language = 'en'): RouteResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
      'x-frame-options': 'DENY',
    },
    body:
      `<!doctype html><html lang="${escapeHtml(language)}"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Sportello</title></head>` +
      `<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

export function redirect(location: string): RouteResponse {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

export function oauthError(error: OAuthError): RouteResponse {
  return json(
    error.status,
    error.toJSON(),
    error.status === 401 ? { 'www-authenticate': 'Basic realm="sportello"' } : {},
  );
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Credentials from `Authorization: Basic` (RFC 6749 2.3.1) or, failing that, the body. */
export function clientCredentials(
  request: ServiceRequest,
  fields: Record<string, string>,
): { clientId?: string; secret?: string } {
  const header = request.header('authorization');
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials');
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    } catch {
      throw new OAuthError('invalid_client', 'malformed Basic credentials');
    }
  }
  return { clientId: fields.client_id, secret: fields.client_secret };
}
