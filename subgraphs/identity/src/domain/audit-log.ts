import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager, StaffPrincipal } from '@sportello/platform';
import { AuditEntryEntity, type AuditEntry } from '../entities/audit-entry.entity.js';

/**
 * Collects the staff reads of one request (one entry per citizen, listing the field groups read)
 * and writes them in one go when the request ends.
 */
export class AuditTrail {
  private readonly reads = new Map<string, Set<string>>();

  constructor(
    private readonly actor: StaffPrincipal,
    private readonly operation: string | null,
  ) {}

  /** Notes that the staff member read these fields of this citizen. */
  note(subject: string, group: string): void {
    const groups = this.reads.get(subject) ?? new Set<string>();
    groups.add(group);
    this.reads.set(subject, groups);
  }

  /** Writes the collected entries (in their own flush, so a failing mutation still leaves its reads). */
  async flush(em: EntityManager, now = new Date()): Promise<number> {
    if (this.reads.size === 0) return 0;
    for (const [subject, groups] of this.reads) {
      em.create(AuditEntryEntity, {
        comune: this.actor.comune,
        at: now,
        actorUsername: this.actor.username,
        actorOffices: this.actor.offices,
        subjectFiscalCode: subject,
        fields: [...groups].sort(),
        operation: this.operation,
        service: 'identity',
        action: 'read',
        requestId: null,
      });
    }
    const written = this.reads.size;
    this.reads.clear();
    await em.flush();
    return written;
  }
}

/** A filter of the audit log. */
export interface AuditQuery {
  actorUsername?: string | null;
  subject?: string | null;
  service?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** The condition of the audit entries a filter keeps. */
export function auditLogWhere(filter: AuditQuery): FilterQuery<AuditEntry> {
  const where: FilterQuery<AuditEntry> = {};
  if (filter.actorUsername) where.actorUsername = filter.actorUsername;
  if (filter.subject) where.subjectFiscalCode = filter.subject;
  if (filter.service) where.service = filter.service;
  if (filter.from || filter.to) {
    where.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
  }
  return where;
}
