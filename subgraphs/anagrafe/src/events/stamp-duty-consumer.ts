import { consumeEvents, handleOnce, type Consumer, type ServiceConsumerSetup } from '@sportello/platform';
import { isEventOf } from '@sportello/schema';
import type { AnagrafeSettings } from '../context.js';
import {
  cancelCertificateRequest,
  failCertificatePayment,
  issuePaidCertificate,
  recordStampDutyNotice,
} from '../domain/certificate-operations.js';

/** Durable consumer (and inbox) name of certificate stamp-duty payments. */
export const STAMP_DUTY_CONSUMER = 'anagrafe-stamp-duty';

/** What {@link startStampDutyConsumer} needs. */
export interface StampDutyConsumerSetup extends ServiceConsumerSetup {
  settings: AnagrafeSettings;
  /** @default the current time */
  now?: () => Date;
}

/** A certificate request id: the reference its stamp-duty position carries. */
const REQUEST_REF = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Follows the stamp-duty positions tributi makes for certificate requests (`externalRef` = the
 * request id): `payment.position-created` gives the request its notice, `payment.received` issues
 * the certificate, `payment.position-cancelled` closes a request still waiting, and
 * `payment.fee-refused` marks it failed with tributi's reason (no notice was made). Each event is applied once (inbox), and a request already issued stays as it
 * is; positions of anything else are acknowledged and ignored.
 */
export async function startStampDutyConsumer(setup: StampDutyConsumerSetup): Promise<Consumer> {
  const { bus, database, logger, settings } = setup;
  const now = setup.now ?? (() => new Date());
  return consumeEvents(
    {
      bus,
      database,
      logger,
      name: STAMP_DUTY_CONSUMER,
      types: [
        'payment.position-created',
        'payment.received',
        'payment.position-cancelled',
        'payment.fee-refused',
      ],
    },
    async (event) => {
      const externalRef = event.data.externalRef;
      if (externalRef == null || !REQUEST_REF.test(externalRef)) return;
      const em = database.fork({ comune: event.comune });
      if (isEventOf(event, 'payment.position-created')) {
        const { noticeNumber, dueDate } = event.data;
        await handleOnce(em, STAMP_DUTY_CONSUMER, event, (tx) =>
          recordStampDutyNotice(tx, externalRef, { noticeNumber, dueDate }),
        );
      } else if (isEventOf(event, 'payment.received')) {
        const { noticeNumber, paidAt } = event.data;
        await handleOnce(em, STAMP_DUTY_CONSUMER, event, async (tx) => {
          await issuePaidCertificate(
            tx,
            externalRef,
            { noticeNumber, paidAt: new Date(paidAt) },
            settings,
            now(),
          );
        });
      } else if (isEventOf(event, 'payment.fee-refused')) {
        const { reason } = event.data;
        await handleOnce(em, STAMP_DUTY_CONSUMER, event, (tx) =>
          failCertificatePayment(tx, externalRef, reason),
        );
      } else {
        await handleOnce(em, STAMP_DUTY_CONSUMER, event, (tx) => cancelCertificateRequest(tx, externalRef));
      }
    },
  );
}
