import { busSubjectPattern, EventValidationError, isEventOf, parseEvent } from '@sportello/schema';
import type { EventEnvelope, RevocationReason } from '@sportello/schema';
import type { Consumer, EventBus } from '../bus/event-bus.js';
import type { TokenPrincipal } from './token-claims.js';
import { DEFAULT_MAX_TOKEN_LIFETIME_SEC } from './token-verifier.js';

/** Tokens that stop working: those issued up to `revokedAt` that match every field given. */
export interface Revocation {
  /** The comune whose tokens it ends (tokens are each for one comune). */
  comune: string;
  reason: RevocationReason;
  /** ISO 8601. */
  revokedAt: string;
  clientId?: string;
  fiscalCode?: string;
  actsFor?: string;
  username?: string;
  /** The `jti` of the one access token a `token-revoked` revocation ends. */
  tokenId?: string;
}

/** What identity's `GET /internal/revocations` answers: the revocations whose tokens may be live. */
export interface RevocationList {
  revocations: Revocation[];
}

/** The path of identity's list (internal callers only: the gateway never forwards `/internal/`). */
export const REVOCATIONS_PATH = '/internal/revocations';

/**
 * How long a revocation is kept: tokens issued before are past their `exp` by then (the verifier
 * refuses longer lifetimes), with two minutes for clocks that disagree.
 */
export const REVOCATION_RETENTION_MS = (DEFAULT_MAX_TOKEN_LIFETIME_SEC + 120) * 1000;

/** How often, at most, a view adding revocations drops those past their retention. */
const PRUNE_EVERY_MS = 60_000;

export interface RevocationViewOptions {
  /** `access.revoked` events are heard live here. */
  bus?: EventBus;
  /**
   * The revocations made before this process started or while its bus connection was down:
   * identity's list (a URL, fetched with `headers`), or a function (identity reads its own).
   */
  list?: URL | (() => Promise<Revocation[]>);
  headers?: () => Record<string, string>;
  /** How often the list is read again. @default 60_000 */
  refreshMs?: number;
  /** @default 5_000 */
  fetchTimeoutMs?: number;
  logger: { info(fields: object, message?: string): void; warn(fields: object, message?: string): void };
  /** @default Date.now */
  now?: () => number;
}

/** The revocations a token verifier honours, kept up to date from identity. */
export interface RevocationView {
  /**
   * Starts listening to the bus and reads the list (at most `fetchTimeoutMs`); a list that cannot be
   * read is logged and read again at the next refresh: the service still starts.
   */
  start(): Promise<void>;
  /** Reads the list now. */
  refresh(): Promise<void>;
  /** Records a revocation (what an event or the list says). */
  add(revocation: Revocation): void;
  /**
   * Records what an `access.revoked` event says (other events and invalid ones are skipped): as
   * heard on the bus, or as committed by this very service (identity honours its own revocations
   * at commit, before it answers the request that made them).
   */
  hear(envelope: EventEnvelope): void;
  /**
   * The revocation that ends a token of `principal` issued at `issuedAtSeconds` (whole seconds from
   * `iat`, or fractional from `iat_ms`: see `issuedAtOf`), if any.
   */
  revocationOf(principal: TokenPrincipal, issuedAtSeconds: number): Revocation | undefined;
  /** Revocations held. */
  readonly size: number;
  close(): Promise<void>;
}

/** The keys a principal's revocations are filed under (its own token's id among them). */
function keysOf(principal: TokenPrincipal): string[] {
  const token = `token:${principal.tokenId}`;
  switch (principal.kind) {
    case 'citizen':
      return [token, `citizen:${principal.fiscalCode}`];
    case 'staff':
      return [token, `staff:${principal.username}`];
    case 'client':
      return [
        token,
        `client:${principal.clientId}`,
        ...(principal.onBehalfOf ? [`citizen:${principal.onBehalfOf.fiscalCode}`] : []),
      ];
    default:
      return [];
  }
}

function keyOf(revocation: Revocation): string {
  if (revocation.tokenId !== undefined) return `token:${revocation.tokenId}`;
  if (revocation.clientId !== undefined) return `client:${revocation.clientId}`;
  if (revocation.username !== undefined) return `staff:${revocation.username}`;
  return `citizen:${revocation.fiscalCode ?? ''}`;
}

/** Whether a revocation filed under one of the principal's keys applies to it. */
function applies(revocation: Revocation, principal: TokenPrincipal): boolean {
  if (principal.comune !== revocation.comune) return false;
  switch (revocation.reason) {
    case 'client-revoked':
      return principal.kind === 'client' && principal.clientId === revocation.clientId;
    case 'grant-revoked':
      return (
        principal.kind === 'client' &&
        principal.clientId === revocation.clientId &&
        principal.onBehalfOf?.fiscalCode === revocation.fiscalCode
      );
    case 'staff-disabled':
      return principal.kind === 'staff' && principal.username === revocation.username;
    case 'signed-out':
      return principal.kind === 'citizen' && principal.fiscalCode === revocation.fiscalCode;
    case 'token-revoked':
      return revocation.tokenId !== undefined && principal.tokenId === revocation.tokenId;
    case 'delegation-revoked': {
      // The delegate's own token acting for the delegator, or an app's on the delegate's behalf.
      const holder =
        principal.kind === 'citizen'
          ? { fiscalCode: principal.fiscalCode, actsFor: principal.actsFor }
          : principal.kind === 'client'
            ? principal.onBehalfOf
            : undefined;
      return (
        holder !== undefined &&
        holder.fiscalCode === revocation.fiscalCode &&
        revocation.actsFor !== undefined &&
        (holder.actsFor ?? []).includes(revocation.actsFor)
      );
    }
  }
}

/**
 * The revocation view every token verifier keeps (gateway and services alike): revocations heard
 * on the bus as `access.revoked` within a second of identity's commit, and identity's list at start
 * and every minute, for what was missed. Filed by client, staff member and citizen, so a check is a
 * lookup; forgotten once no token they could end is still acceptable.
 */
export function createRevocationView(options: RevocationViewOptions): RevocationView {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const byKey = new Map<string, Revocation[]>();
  let count = 0;
  let listener: Consumer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let prunedAt = now();

  function prune(): void {
    prunedAt = now();
    const oldest = prunedAt - REVOCATION_RETENTION_MS;
    for (const [key, list] of byKey) {
      const kept = list.filter((revocation) => Date.parse(revocation.revokedAt) >= oldest);
      count -= list.length - kept.length;
      if (kept.length === 0) byKey.delete(key);
      else byKey.set(key, kept);
    }
  }

  function add(revocation: Revocation): void {
    const key = keyOf(revocation);
    const list = byKey.get(key) ?? [];
    const same = list.some(
      (known) =>
        known.comune === revocation.comune &&
        known.reason === revocation.reason &&
        known.revokedAt === revocation.revokedAt &&
        known.clientId === revocation.clientId &&
        known.fiscalCode === revocation.fiscalCode &&
        known.actsFor === revocation.actsFor &&
        known.username === revocation.username &&
        known.tokenId === revocation.tokenId,
    );
    if (same) return;
    list.push(revocation);
    byKey.set(key, list);
    count += 1;
    // Heard on the bus only (no list to read again), the view still forgets what has run out.
    if (now() - prunedAt >= PRUNE_EVERY_MS) prune();
  }

  async function readList(): Promise<Revocation[]> {
    const list = options.list;
    if (list === undefined) return [];
    if (typeof list === 'function') return list();
    const response = await fetch(list, {
      headers: options.headers?.() ?? {},
      signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 5_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as Partial<RevocationList>;
    if (!Array.isArray(body.revocations)) throw new Error('not a revocation list');
    return body.revocations;
  }

  function hear(envelope: EventEnvelope): void {
    if (envelope.type !== 'access.revoked') return;
    try {
      const event = parseEvent(envelope);
      if (!isEventOf(event, 'access.revoked')) return;
      add({ comune: event.comune, ...event.data });
      logger.info(
        { reason: event.data.reason, eventId: event.id },
        'access revoked: matching tokens are refused',
      );
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      logger.warn({ eventId: envelope.id, issues: error.issues }, 'revocation event skipped: invalid');
    }
  }

  async function refresh(): Promise<void> {
    try {
      const before = count;
      for (const revocation of await readList()) add(revocation);
      prune();
      if (count > before) logger.info({ learned: count - before }, 'revocations loaded');
    } catch (error) {
      logger.warn({ err: error }, 'revocations could not be read; retrying later');
    }
  }

  return {
    async start() {
      if (options.bus !== undefined && listener === undefined) {
        listener = await options.bus.listen(busSubjectPattern({ type: 'access.revoked' }), hear);
      }
      await refresh();
      if (options.list !== undefined && timer === undefined && !closed) {
        timer = setInterval(() => void refresh(), options.refreshMs ?? 60_000);
        timer.unref();
      }
    },
    add,
    hear,
    refresh,
    revocationOf(principal, issuedAtSeconds) {
      for (const key of keysOf(principal)) {
        for (const revocation of byKey.get(key) ?? []) {
          // Issued before the revocation: ended. A token giving only whole seconds (`iat`) is ended
          // when issued in the second of the revocation too; one giving milliseconds, only if earlier.
          const revokedAt = Date.parse(revocation.revokedAt) / 1000;
          const issuedAfter = Number.isInteger(issuedAtSeconds)
            ? issuedAtSeconds > Math.floor(revokedAt)
            : issuedAtSeconds > revokedAt;
          if (issuedAfter) continue;
          if (applies(revocation, principal)) return revocation;
        }
      }
      return undefined;
    },
    get size() {
      return count;
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await listener?.stop();
      listener = undefined;
    },
  };
}
