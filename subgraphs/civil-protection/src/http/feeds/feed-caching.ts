/**
 * HTTP caching of the open-data feeds: the same public answer to everyone, so CDNs and clients may
 * keep it for a short bound and revalidate it with `If-None-Match`.
 */
import { createHash } from 'node:crypto';
import type { RouteResponse, ServiceRequest } from '@sportello/platform';

/** How long feeds may be kept by shared caches, in seconds, unless configured. @default 5 */
export const DEFAULT_FEED_MAX_AGE_SECONDS = 5;

/** A strong validator of a feed body: the same body always gets the same tag. */
export function feedEntityTag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether `If-None-Match` matches `etag` (weak comparison: `W/` ignored; `*` matches anything). */
function ifNoneMatchHolds(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/**
 * A feed answer: `Cache-Control: public` with `max-age` and `stale-while-revalidate` of
 * `maxAgeSeconds`, an `ETag`, and `304` without a body when the request's `If-None-Match` holds.
 * `Vary: x-comune` keeps comuni apart in shared caches (the `?comune=` parameter is in the URL).
 */
export function cacheableFeed(
  request: ServiceRequest,
  contentType: string,
  body: string | Uint8Array,
  maxAgeSeconds: number,
  options: { cacheControl?: string; headers?: Record<string, string> } = {},
): RouteResponse {
  const etag = feedEntityTag(body);
  const headers = {
    'cache-control':
      options.cacheControl ?? `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds}`,
    etag,
    vary: 'x-comune',
  };
  if (ifNoneMatchHolds(request.header('if-none-match'), etag)) return { status: 304, headers };
  return {
    status: 200,
    headers: {
      ...headers,
      ...options.headers,
      'content-type': contentType,
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

/**
 * How long a published document may be kept: a year, unchanged (`immutable`). A published
 * ordinance and its documents never change; a correction is another ordinance.
 */
export const DOCUMENT_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * The instant a feed is computed for: the start of the current `maxAgeSeconds` window. Documents
 * that show "now" (the Atom index's `updated` when no alert is active) then stay byte-identical, and
 * their ETag valid, within the window; an alert that expires meanwhile leaves the index at most one
 * window late, which the same bound already allows.
 */
export function feedInstant(now: number, maxAgeSeconds: number): Date {
  const windowMs = maxAgeSeconds * 1000;
  return new Date(Math.floor(now / windowMs) * windowMs);
}
