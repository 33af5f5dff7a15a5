import { createHash } from 'node:crypto';
import { type ClientDocuments } from '../config.js';

/** What a GraphQL request carries before the document is known. */
export interface DocumentRequest {
  query?: string;
  persistedHash?: string;
}

/** Outcome of looking the request up in the client's registered operations. */
export type TrustedDocumentDecision =
  { kind: 'pass' } | { kind: 'resolved'; query: string } | { kind: 'refused'; message: string };

/**
 * Applies a registered client's trusted documents: a known hash becomes its document (no APQ
 * round trip), and a client marked `trustedOnly` may run nothing else.
 */
export function applyTrustedDocuments(
  clientId: string | undefined,
  manifest: ClientDocuments | undefined,
  request: DocumentRequest,
): TrustedDocumentDecision {
  if (!manifest) return { kind: 'pass' };
  if (request.query === undefined && request.persistedHash !== undefined) {
    const registered = manifest.operations[request.persistedHash];
    if (registered !== undefined) return { kind: 'resolved', query: registered };
  }
  if (!manifest.trustedOnly) return { kind: 'pass' };
  const hash =
    request.query !== undefined
      ? createHash('sha256').update(request.query).digest('hex')
      : request.persistedHash;
  if (hash !== undefined && manifest.operations[hash] === request.query) return { kind: 'pass' };
  return {
    kind: 'refused',
    message: `Client "${clientId}" may only run its registered operations; ${hash ? `operation ${hash} is not one of them` : 'the request names no operation'}`,
  };
}
