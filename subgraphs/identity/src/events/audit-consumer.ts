import {
  handleOnce,
  OFFICES,
  type Consumer,
  type ServiceConsumerSetup,
  type Office,
  parseConsumedEvent,
} from '@sportello/platform';
import { busSubjectPattern, isEventOf } from '@sportello/schema';
import { AuditEntryEntity } from '../entities/audit-entry.entity.js';

/** Durable consumer (and inbox) name of the audit log. */
export const AUDIT_CONSUMER = 'identity-audit';

function isOffice(office: string): office is Office {
  return (OFFICES as readonly string[]).includes(office);
}

/** What {@link startAuditConsumer} needs. */
export type AuditConsumerSetup = ServiceConsumerSetup;

/**
 * Stores the staff reads every other service reports (`audit.personal-data-read`) in identity's
 * audit log, so `auditLog` shows reads from everywhere. Each event is stored once through the
 * inbox, however often the bus delivers it; a failing store makes the bus redeliver later.
 */
export async function startAuditConsumer(setup: AuditConsumerSetup): Promise<Consumer> {
  const { bus, database, logger } = setup;
  return bus.consume(
    { name: AUDIT_CONSUMER, subjects: [busSubjectPattern({ type: 'audit.personal-data-read' })] },
    async (envelope) => {
      const event = parseConsumedEvent(envelope, logger, AUDIT_CONSUMER);
      if (event === undefined) return;
      if (!isEventOf(event, 'audit.personal-data-read')) return;
      const { data } = event;
      await handleOnce(database.fork({ comune: event.comune }), AUDIT_CONSUMER, event, async (em) => {
        em.create(AuditEntryEntity, {
          comune: event.comune,
          at: new Date(data.at),
          actorUsername: data.actorUsername,
          // The log lists offices it knows; the catalogue only checks their shape.
          actorOffices: data.actorOffices.filter(isOffice),
          subjectFiscalCode: data.subjectFiscalCode,
          fields: data.resources,
          operation: null,
          service: data.service,
          action: data.action,
          requestId: data.requestId,
        });
      });
    },
  );
}
