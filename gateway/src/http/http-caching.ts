import { createHash } from 'node:crypto';

/** `Cache-Control` of anything built for a caller with a token: never stored anywhere. */
export const PRIVATE_NO_STORE = 'private, no-store';
/** `Cache-Control` of anonymous answers that are not shareable (mutations, errors). */
export const NO_STORE = 'no-store';

/**
 * `Cache-Control` of a public answer: shared caches (CDN, browsers) keep it `maxAgeSeconds` and may
 * serve it for as long again while they fetch a fresh one, so the worst staleness a client behind a
 * CDN sees is twice the bound; the gateway itself never serves older than the bound.
 */
export function publicCacheControl(maxAgeSeconds: number): string {
  return `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds}`;
}

/** A strong validator of a body: the same body always gets the same tag, across gateways. */
export function entityTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 weak comparison: `W/` is ignored;
 * `*` matches anything).
 */
export function ifNoneMatchHolds(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const wanted = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === wanted;
  });
}
