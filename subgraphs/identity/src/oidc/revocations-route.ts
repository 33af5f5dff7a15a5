import {
  REVOCATION_RETENTION_MS,
  REVOCATIONS_PATH,
  type Database,
  type Revocation,
  type RevocationList,
  type Route,
} from '@sportello/platform';
import { revocationsSince } from '../domain/revocations.js';

/** The revocations whose tokens may still be live, read from identity's own state. */
export function currentRevocations(database: Database): Promise<Revocation[]> {
  return revocationsSince(database.forkUnscoped(), new Date(Date.now() - REVOCATION_RETENTION_MS));
}

/**
 * `GET /internal/revocations`: what ended tokens within the longest token lifetime (clients revoked,
 * delegations revoked, staff disabled). Every token verifier reads it at start and every minute,
 * next to the `access.revoked` events it hears live, so a process that starts (or misses an event)
 * after a revocation still refuses the tokens. Internal: the gateway never forwards `/internal/`,
 * and the trust boundary asks for the internal assertion.
 */
export function revocationsRoute(database: Database): Route {
  return {
    method: 'GET',
    path: REVOCATIONS_PATH,
    async handler() {
      const body: RevocationList = { revocations: await currentRevocations(database) };
      return { status: 200, headers: { 'cache-control': 'no-store' }, json: body };
    },
  };
}
