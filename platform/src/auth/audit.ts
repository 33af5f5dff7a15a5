import { type ApolloServerPlugin } from '@apollo/server';
import { createEvent } from '@sportello/schema';
import { type EntityManager } from '../database/database.js';
import { type Logger } from '../logging/logger.js';
import { maskFiscalCode } from '../logging/personal-data.js';
import { recordEvent } from '../outbox/record-event.js';
import { assertCanRead, type PersonalDataRule } from './access.js';
import { type Office, type Principal } from './principal.js';

/** One read of personal data by staff. */
export interface AuditEntry {
  /** Who read: `staff:<username>`. */
  actor: string;
  /** What was done, e.g. `read`, `issue-certificate`. */
  action: string;
  /** What was read, e.g. `Resident.address`, `PaymentPosition:302032002700000251`. */
  resource: string;
  /** Whose data it is. */
  subjectFiscalCode: string;
  /** The comune of the staff member and the data. */
  comune: string;
  at: Date;
  /** The staff member in structured form (set by {@link auditPersonalDataRead}). */
  staff?: { username: string; offices: readonly Office[] };
}

/**
 * Where audit entries go. The identity service owns the audit log (storage and queries); each
 * subgraph gets a sink through its request context. `record` may be async: callers await it, so a
 * failing audit log fails the read instead of leaving it unaudited.
 */
export interface AuditSink {
  record(entry: AuditEntry): void | Promise<void>;
  /**
   * Stores what `record` only queued. Sinks that store at once have none; for those that do,
   * {@link auditFlushPlugin} calls it before a GraphQL response leaves, and a route answering
   * outside GraphQL must await it before it answers.
   */
  flush?(): Promise<void>;
}

/**
 * A sink that writes each entry as an `audit` log line, the subject's fiscal code masked. For
 * embedded/demo deployments and as a fallback until a durable sink is wired.
 */
export function createLoggingAuditSink(logger: Logger): AuditSink {
  return {
    record(entry) {
      logger.info(
        {
          audit: {
            actor: entry.actor,
            action: entry.action,
            resource: entry.resource,
            subject: maskFiscalCode(entry.subjectFiscalCode),
            comune: entry.comune,
            at: entry.at.toISOString(),
          },
        },
        'personal data read',
      );
    },
  };
}

/** A sink that keeps entries in memory (tests, demo). */
export interface MemoryAuditSink extends AuditSink {
  readonly entries: readonly AuditEntry[];
}

export function createMemoryAuditSink(): MemoryAuditSink {
  const entries: AuditEntry[] = [];
  return {
    entries,
    record(entry) {
      entries.push(entry);
    },
  };
}

/** What a staff read records besides who and when. */
export interface AuditedRead {
  action: string;
  resource: string;
}

/**
 * Records a read of `subjectFiscalCode`'s data when the reader is staff (citizens reading their own
 * data, apps and services are not audited here). Call it in the resolver, after authorising and
 * before returning the data.
 */
export async function auditPersonalDataRead(
  context: { principal: Principal; audit: AuditSink },
  subjectFiscalCode: string,
  read: AuditedRead,
): Promise<void> {
  const { principal } = context;
  if (principal.kind !== 'staff') return;
  await context.audit.record({
    actor: `staff:${principal.username}`,
    action: read.action,
    resource: read.resource,
    subjectFiscalCode,
    comune: principal.comune,
    at: new Date(),
    staff: { username: principal.username, offices: principal.offices },
  });
}

/**
 * The one call a field resolver holding personal data needs: authorise ({@link assertCanRead}),
 * then audit staff reads ({@link auditPersonalDataRead}).
 *
 * @example
 * await authorizePersonalDataRead(ctx, resident.fiscalCode, { office: 'anagrafe', scope: 'anagrafe', action: 'read', resource: 'Resident.address' });
 */
export async function authorizePersonalDataRead(
  context: { principal: Principal; audit: AuditSink },
  ownerFiscalCode: string,
  rule: PersonalDataRule & AuditedRead,
): Promise<void> {
  assertCanRead(context.principal, ownerFiscalCode, rule);
  await auditPersonalDataRead(context, ownerFiscalCode, rule);
}

/** An {@link AuditSink} whose entries wait for {@link OutboxAuditSink.flush}. */
export interface OutboxAuditSink extends AuditSink {
  flush(): Promise<void>;
  /** Events `flush` would write now. */
  readonly pending: number;
}

/** The request an {@link OutboxAuditSink} records for: the platform's `DatabaseRequestContext` fits. */
export interface AuditedRequest {
  /** The request's EntityManager, scoped to its comune. */
  em: EntityManager;
  requestId: string;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** The catalogue's bound on `resources`; a longer list is split over several events. */
const MAX_RESOURCES_PER_EVENT = 100;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The durable audit sink of a service with a database: staff reads become
 * `audit.personal-data-read` events in the service's outbox, which identity consumes into the audit
 * log admins query. Make one per request, in the context factory, and register
 * {@link auditFlushPlugin} so the entries are stored before the response is sent: a read is not
 * answered unless its audit entry is stored.
 *
 * Reads of one request are grouped: one event per staff member, subject and action, listing every
 * resource read. The events are written in a flush of their own, on a fork of the request's
 * EntityManager, so a mutation that fails half-way neither loses the reads it made nor gets its
 * unfinished changes committed by the audit.
 *
 * @param service - the service answering the read, as it appears in the audit log (`anagrafe`).
 * @throws Error when `service` is not a lower-case service name.
 * @example
 * context: async (request) => {
 *   const base = await requestContext(request);
 *   return { ...base, audit: createOutboxAuditSink('anagrafe', base) };
 * }
 */
export function createOutboxAuditSink(service: string, request: AuditedRequest): OutboxAuditSink {
  if (!SERVICE_NAME.test(service)) {
    throw new Error(`audit sink: service must be a lower-case service name, got "${service}"`);
  }
  const groups = new Map<string, { entry: AuditEntry; resources: Set<string> }>();
  return {
    get pending() {
      return groups.size;
    },
    record(entry) {
      const key = JSON.stringify([entry.comune, entry.actor, entry.subjectFiscalCode, entry.action]);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { entry, resources: new Set([entry.resource]) });
      else group.resources.add(entry.resource);
    },
    async flush() {
      if (groups.size === 0) return;
      const em = request.em.fork();
      for (const { entry, resources: all } of groups.values()) {
        const username = entry.staff?.username ?? entry.actor.replace(/^staff:/, '');
        for (const resources of chunks([...all], MAX_RESOURCES_PER_EVENT))
          recordEvent(
            em,
            createEvent('audit.personal-data-read', {
              comune: entry.comune,
              subject: entry.subjectFiscalCode,
              actor: { kind: 'staff', id: username },
              occurredAt: entry.at,
              data: {
                service,
                actorUsername: username,
                actorOffices: [...(entry.staff?.offices ?? [])],
                subjectFiscalCode: entry.subjectFiscalCode,
                action: entry.action,
                resources,
                requestId: request.requestId,
                at: entry.at.toISOString(),
              },
            }),
          );
      }
      await em.flush();
      // Kept until stored: a failed flush can be retried and loses nothing.
      groups.clear();
    },
  };
}

/** What {@link auditFlushPlugin} reads from the GraphQL context. */
export interface AuditFlushContext {
  audit: AuditSink;
  log?: Logger;
}

/**
 * An Apollo Server plugin that stores the request's audit entries ({@link AuditSink.flush}) before
 * the response is sent. When they cannot be stored, the response is replaced by an
 * `INTERNAL_SERVER_ERROR` without data: personal data is never answered unaudited.
 */
export function auditFlushPlugin<Context extends AuditFlushContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const audit = (contextValue as Partial<AuditFlushContext> | undefined)?.audit;
          if (audit?.flush === undefined) return;
          try {
            await audit.flush();
          } catch (error) {
            contextValue.log?.error({ err: error }, 'audit entries could not be stored: response withheld');
            response.http.status = 500;
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message:
                      'The audit log could not record this read, so its data is not returned; retry later',
                    extensions: { code: 'INTERNAL_SERVER_ERROR' },
                  },
                ],
              },
            };
          }
        },
      };
    },
  };
}
