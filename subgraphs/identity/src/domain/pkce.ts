import { createHash } from 'node:crypto';

/** The S256 challenge of a verifier (RFC 7636): base64url(SHA-256(verifier)). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
