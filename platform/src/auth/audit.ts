import { type Logger } from '../logging/logger.js';
import { maskFiscalCode } from '../logging/personal-data.js';
import { assertCanRead, type PersonalDataRule } from './access.js';
import { type Principal } from './principal.js';

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
}

/**
 * Where audit entries go. The identity service owns the audit log (storage and queries); each
 * subgraph gets a sink through its request context. `record` may be async: callers await it, so a
 * failing audit log fails the read instead of leaving it unaudited.
 */
export interface AuditSink {
  record(entry: AuditEntry): void | Promise<void>;
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
