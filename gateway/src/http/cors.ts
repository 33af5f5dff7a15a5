import { type IncomingMessage, type ServerResponse } from 'node:http';
import { sendJson } from './json-response.js';

/** Headers a browser app may send cross-origin: what the API reads. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-comune',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'traceparent',
  'tracestate',
  'x-request-id',
].join(', ');
/** Response headers a browser app may read. */
const EXPOSED_HEADERS = ['retry-after', 'x-request-id', 'www-authenticate'].join(', ');

/** Which browser origins may call the API. */
export interface CorsPolicy {
  /** `*` for any origin (a demo), or exact origins (`https://app.example.it`). */
  origins: '*' | readonly string[];
}

function allowedOrigin(policy: CorsPolicy, origin: string): boolean {
  return policy.origins === '*' || policy.origins.includes(origin);
}

/**
 * Cross-origin access for browser apps (the Fetch standard's CORS protocol): answers a preflight
 * (`OPTIONS` with `Access-Control-Request-Method`) itself, with 204 for an allowed origin and 403
 * naming the origin otherwise, and marks the answers of allowed origins. Bearer tokens, not
 * cookies, authenticate API calls: credentials are never allowed.
 * @returns true when the request was answered (a preflight)
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): boolean {
  const origin = req.headers.origin;
  res.appendHeader('vary', 'Origin');
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (origin === undefined) return false;
  if (!allowedOrigin(policy, origin)) {
    if (!preflight) return false;
    sendJson(res, 403, { error: `Origin ${origin} may not call this API (GATEWAY_CORS_ORIGINS)` });
    return true;
  }
  res.setHeader('access-control-allow-origin', origin);
  if (!preflight) {
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    return false;
  }
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}
