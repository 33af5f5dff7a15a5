import {
  handleOnce,
  type Consumer,
  type Database,
  type EntityManager,
  type EventBus,
  type Logger,
} from '@sportello/platform';
import {
  busSubjectPattern,
  EventValidationError,
  isEventOf,
  parseEvent,
  type Actor,
  type EventOf,
} from '@sportello/schema';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import type { FineRules } from '../domain/fines.js';
import { createPositions, positionViolations, type NewPosition } from '../domain/positions.js';
import { consumerNameFor } from './practice-fees-consumer.js';

/** Durable consumer (and inbox) name of certificate stamp duties. */
export const CERTIFICATE_FEES_CONSUMER = 'tributi-certificate-fees';

/** Who makes certificate stamp-duty positions, for the record and the events. */
const CERTIFICATE_FEES_ACTOR: Actor = { kind: 'system', id: 'certificate-fees' };

/** What {@link startCertificateFeesConsumer} needs. */
export interface CertificateFeesSetup {
  bus: EventBus;
  database: Database;
  logger: Logger;
  fineRules: FineRules;
}

/**
 * Makes the stamp-duty position a certificate request asks for (`certificate.payment-requested`):
 * one position of kind `other` for the requester, with the request id as `externalRef`, announced
 * by `payment.position-created` like any other. However often the event is delivered there is one
 * position: the inbox records the event, and a position already made for the reference is left as
 * it is.
 */
export async function startCertificateFeesConsumer(setup: CertificateFeesSetup): Promise<Consumer> {
  const { bus, database, logger } = setup;
  return bus.consume(
    {
      name: consumerNameFor(CERTIFICATE_FEES_CONSUMER, database),
      subjects: [busSubjectPattern({ type: 'certificate.payment-requested' })],
    },
    async (envelope) => {
      let event;
      try {
        event = parseEvent(envelope);
      } catch (error) {
        // Redelivering it would fail the same way; the producer validated it, so this is a version skew.
        if (!(error instanceof EventValidationError)) throw error;
        logger.error(
          { eventId: envelope.id, issues: error.issues },
          'certificate fee event skipped: invalid',
        );
        return;
      }
      if (!isEventOf(event, 'certificate.payment-requested')) return;
      const em = database.fork({ comune: event.comune });
      await handleOnce(em, CERTIFICATE_FEES_CONSUMER, event, (tx) => makePosition(tx, event, setup));
    },
  );
}

async function makePosition(
  em: EntityManager,
  event: EventOf<'certificate.payment-requested'>,
  setup: CertificateFeesSetup,
): Promise<void> {
  const { data } = event;
  const existing = await em.findOne(PaymentPositionEntity, { externalRef: data.externalRef });
  if (existing !== null) return;
  const input: NewPosition = {
    kind: 'other',
    year: Number(data.dueDate.slice(0, 4)),
    description: data.description,
    payerFiscalCode: data.requesterFiscalCode,
    amountCents: data.amountCents,
    dueDates: [data.dueDate],
    externalRef: data.externalRef,
  };
  const violations = positionViolations(input, setup.fineRules);
  if (violations.length > 0) {
    setup.logger.error(
      { eventId: event.id, requestId: data.requestId, violations },
      'certificate stamp duty not billed: the request breaks a position rule',
    );
    return;
  }
  await createPositions(em, [input], {
    comune: event.comune,
    actor: CERTIFICATE_FEES_ACTOR,
    createdBy: `certificate-request:${data.requestId}`,
    now: new Date(),
    fineRules: setup.fineRules,
  });
}
