import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ServiceRequest } from '@sportello/platform';
import { sameSecret } from './constant-time.js';

/**
 * The cookie binding a sign-in (an authorization request in progress) to the browser that started
 * it: HttpOnly, SameSite=Lax (sent on the upstream provider's redirect back, never on another
 * site's POST), Secure on an https origin, and scoped to `/oauth`.
 */
export const INTERACTION_COOKIE = 'sportello_interaction';
/** The hidden form field carrying the CSRF token of the login and consent forms. */
export const CSRF_FIELD = 'csrf';

/** A browser secret as this module makes them: 32 random bytes, base64url. */
const BROWSER_SECRET = /^[A-Za-z0-9_-]{43}$/;

/** One cookie's value from the `Cookie` header, if present. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The browser secret the request's interaction cookie carries, when well formed. */
export function browserSecretOf(request: ServiceRequest): string | undefined {
  const value = cookieValue(request.header('cookie'), INTERACTION_COOKIE);
  return value !== undefined && BROWSER_SECRET.test(value) ? value : undefined;
}

/** The browser's secret: the one its cookie already carries (other tabs' sign-ins keep working), else new. */
export function browserSecretFor(request: ServiceRequest): string {
  return browserSecretOf(request) ?? randomBytes(32).toString('base64url');
}

/** What an authorization request in progress stores of its browser: never the secret itself. */
export function browserDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** The CSRF token of an interaction's forms: tied to the browser's secret and to the interaction. */
export function csrfToken(secret: string, interactionId: string): string {
  return createHmac('sha256', secret).update(`csrf:${interactionId}`).digest('base64url');
}

/** The `Set-Cookie` value binding the interaction to the browser. */
export function interactionCookie(
  secret: string,
  options: { secure: boolean; maxAgeSeconds: number },
): string {
  return [
    `${INTERACTION_COOKIE}=${secret}`,
    'Path=/oauth',
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * Whether the request comes from the browser an interaction is bound to (its cookie) and, for a
 * form post, carries the form's CSRF token. Compared in constant time.
 */
export function isBoundBrowser(
  request: ServiceRequest,
  interaction: { id: string; browser: string | undefined },
  csrf?: string | null,
): boolean {
  const secret = browserSecretOf(request);
  if (secret === undefined || interaction.browser === undefined) return false;
  if (!sameSecret(browserDigest(secret), interaction.browser)) return false;
  return csrf === undefined || sameSecret(csrf ?? '', csrfToken(secret, interaction.id));
}
