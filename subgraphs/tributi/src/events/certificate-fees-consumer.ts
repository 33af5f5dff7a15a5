import {
  consumeEvents,
  handleOnce,
  type Consumer,
  type EntityManager,
  recordEvent,
} from '@sportello/platform';
import { createEvent, type Actor, type EventOf } from '@sportello/schema';
import { billRequestedFee, type FeeConsumerSetup } from './fee-requests.js';

/** Durable consumer (and inbox) name of certificate stamp duties. */
export const CERTIFICATE_FEES_CONSUMER = 'tributi-certificate-fees';

/** Who makes certificate stamp-duty positions, for the record and the events. */
const CERTIFICATE_FEES_ACTOR: Actor = { kind: 'system', id: 'certificate-fees' };

/**
 * Makes the stamp-duty position a certificate request asks for (`certificate.payment-requested`):
 * one position of kind `other` for the requester, with the request id as `externalRef`, announced
 * by `payment.position-created` like any other. However often the event is delivered there is one
 * position: the inbox records the event, and a position already made for the reference is left as
 * it is. A request that breaks a position rule gets no position but `payment.fee-refused`, with the
 * reason, so the request does not wait for a notice that will never come.
 */
export async function startCertificateFeesConsumer(setup: FeeConsumerSetup): Promise<Consumer> {
  const { bus, database, logger } = setup;
  return consumeEvents(
    { bus, database, logger, name: CERTIFICATE_FEES_CONSUMER, types: ['certificate.payment-requested'] },
    async (event) => {
      const em = database.fork({ comune: event.comune });
      await handleOnce(em, CERTIFICATE_FEES_CONSUMER, event, (tx) => makePosition(tx, event, setup));
    },
  );
}

async function makePosition(
  em: EntityManager,
  event: EventOf<'certificate.payment-requested'>,
  setup: FeeConsumerSetup,
): Promise<void> {
  const { data } = event;
  const violations = await billRequestedFee(
    em,
    event,
    {
      fiscalCode: data.requesterFiscalCode,
      createdBy: `certificate-request:${data.requestId}`,
      actor: CERTIFICATE_FEES_ACTOR,
    },
    setup.fineRules,
  );
  if (violations.length > 0) {
    setup.logger.error(
      { eventId: event.id, requestId: data.requestId, violations },
      'certificate stamp duty not billed: the request breaks a position rule',
    );
    // Anagrafe shows the request as failed, with the reason, instead of waiting for a notice forever.
    const reason = violations
      .map((violation) => `${violation.field}: ${violation.message}`)
      .join('; ')
      .slice(0, 500);
    recordEvent(
      em,
      createEvent('payment.fee-refused', {
        comune: event.comune,
        subject: data.requestId,
        actor: CERTIFICATE_FEES_ACTOR,
        data: { externalRef: data.externalRef, payerFiscalCode: data.requesterFiscalCode, reason },
      }),
    );
  }
}
