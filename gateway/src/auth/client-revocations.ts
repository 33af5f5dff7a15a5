import { type Consumer, type EventBus, type Principal } from '@sportello/platform';
import { busSubjectPattern, EventValidationError, isEventOf, parseEvent } from '@sportello/schema';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { type GatewayTokenVerifier } from './caller.js';

/** `extensions.reason` of a token refused because its API client was revoked (as identity says it). */
export const CLIENT_REVOKED = 'CLIENT_REVOKED';

/** What identity's `GET /oauth/revoked-clients` answers. */
const revokedListSchema = z.object({
  since: z.string(),
  clients: z.array(z.object({ clientId: z.string().min(1), revokedAt: z.string() })),
});

/** Where the revocation list learns of revoked clients. */
export interface ClientRevocationsOptions {
  /** `api-client.revoked` events are heard live here. */
  bus?: EventBus;
  /**
   * Identity's list of clients revoked within the last token lifetime (`/oauth/revoked-clients`),
   * read at start and every `refreshMs`: covers revocations made before this gateway started and
   * events missed while the bus connection was down.
   */
  listUrl?: string;
  /** @default 60_000 */
  refreshMs?: number;
  /** @default 5_000 */
  fetchTimeoutMs?: number;
  /** Headers of the list request (the internal assertion identity's private port asks for). */
  headers?: () => Record<string, string>;
  logger: { info(fields: object, message?: string): void; warn(fields: object, message?: string): void };
}

/** The API clients whose tokens the gateway refuses, kept up to date from identity. */
export interface ClientRevocations {
  /**
   * Reads identity's list and starts listening to the bus. A list that cannot be read is logged and
   * read again at the next refresh: the gateway still starts.
   */
  start(): Promise<void>;
  isRevoked(clientId: string): boolean;
  /** Client ids known to be revoked. */
  readonly size: number;
  /**
   * The verifier, refusing tokens of revoked clients with `UNAUTHENTICATED` (reason
   * {@link CLIENT_REVOKED}) after they verify, over HTTP and graphql-ws alike.
   */
  guard(verifier: GatewayTokenVerifier): GatewayTokenVerifier;
  /** Stops listening and refreshing. */
  close(): Promise<void>;
}

/**
 * Keeps the set of revoked API clients: from `api-client.revoked` events as they happen, and from
 * identity's list at start and periodically. A client once revoked stays refused (a revoked client
 * gets no new tokens, so the set only grows by the comune's revocations).
 */
export function createClientRevocations(options: ClientRevocationsOptions): ClientRevocations {
  const { logger } = options;
  const revoked = new Set<string>();
  let listener: Consumer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function refresh(): Promise<void> {
    if (options.listUrl === undefined) return;
    try {
      const response = await fetch(options.listUrl, {
        headers: options.headers?.() ?? {},
        signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const list = revokedListSchema.parse(await response.json());
      const before = revoked.size;
      for (const client of list.clients) revoked.add(client.clientId);
      if (revoked.size > before)
        logger.info({ learned: revoked.size - before }, 'revoked API clients loaded');
    } catch (error) {
      logger.warn(
        { err: error, url: options.listUrl },
        'revoked API clients could not be read; retrying later',
      );
    }
  }

  return {
    async start() {
      if (options.bus !== undefined && listener === undefined) {
        listener = await options.bus.listen(busSubjectPattern({ type: 'api-client.revoked' }), (envelope) => {
          try {
            const event = parseEvent(envelope);
            if (!isEventOf(event, 'api-client.revoked')) return;
            revoked.add(event.data.clientId);
            logger.info({ clientId: event.data.clientId }, 'API client revoked: its tokens are refused');
          } catch (error) {
            if (!(error instanceof EventValidationError)) throw error;
            logger.warn({ eventId: envelope.id, issues: error.issues }, 'revocation event skipped: invalid');
          }
        });
      }
      await refresh();
      if (options.listUrl !== undefined && timer === undefined && !closed) {
        timer = setInterval(() => void refresh(), options.refreshMs ?? 60_000);
        timer.unref();
      }
    },
    isRevoked: (clientId) => revoked.has(clientId),
    get size() {
      return revoked.size;
    },
    guard(verifier) {
      return {
        async verifyToken(token): Promise<Principal> {
          const principal = await verifier.verifyToken(token);
          if (principal.kind === 'client' && revoked.has(principal.clientId)) {
            throw new GraphQLError('This API client has been revoked: its tokens are no longer accepted', {
              extensions: { code: 'UNAUTHENTICATED', reason: CLIENT_REVOKED },
            });
          }
          return principal;
        },
      };
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await listener?.stop();
      listener = undefined;
    },
  };
}
