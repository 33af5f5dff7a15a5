import type { Database, Route } from '@sportello/platform';
import { clientsRevokedSince } from '../domain/api-clients.js';

/** Path of the list of recently revoked API clients. */
export const REVOKED_CLIENTS_PATH = '/oauth/revoked-clients';

/** Verifiers' clocks may run behind ours: a token is looked after a little longer than it lives. */
const CLOCK_SKEW_MS = 60_000;

/** The body of `GET /oauth/revoked-clients`. */
export interface RevokedClientsList {
  /** Revocations from this instant on are listed (ISO 8601). */
  since: string;
  clients: { clientId: string; revokedAt: string }[];
}

/**
 * `GET /oauth/revoked-clients`: the API clients revoked within the last access-token lifetime, i.e.
 * those whose tokens may still be live. The gateway reads it at boot and now and then, next to the
 * `api-client.revoked` events it hears live, so a replica that starts (or misses an event) after a
 * revocation still refuses the tokens. Public like the JWKS: it lists client ids, not secrets, and
 * only for the minutes their tokens could still be used.
 */
export function revokedClientsRoute(options: { database: Database; tokenLifetimeMs: number }): Route {
  return {
    method: 'GET',
    path: REVOKED_CLIENTS_PATH,
    async handler() {
      const since = new Date(Date.now() - options.tokenLifetimeMs - CLOCK_SKEW_MS);
      const revoked = await clientsRevokedSince(options.database.forkUnscoped(), since);
      const body: RevokedClientsList = {
        since: since.toISOString(),
        clients: revoked.map((client) => ({
          clientId: client.clientId,
          revokedAt: client.revokedAt.toISOString(),
        })),
      };
      return { status: 200, headers: { 'cache-control': 'no-store' }, json: body };
    },
  };
}
