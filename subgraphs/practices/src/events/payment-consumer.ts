import { consumeEvents, handleOnce, type Consumer, type ServiceConsumerSetup } from '@sportello/platform';
import { isEventOf } from '@sportello/schema';
import { applyFeeOutcome, type FeeOutcome } from '../domain/practice-operations.js';

/** Durable consumer (and inbox) name of practice fee payments. */
export const PAYMENTS_CONSUMER = 'practices-payments';

/** What {@link startPaymentConsumer} needs. */
export interface PaymentConsumerSetup extends ServiceConsumerSetup {
  /** @default the current time */
  now?: () => Date;
}

/**
 * Follows the payment positions tributi makes for practice fees (`payment.position-created`,
 * `payment.received`, `payment.position-cancelled` whose `externalRef` is a fee request): the
 * practice shows the notice, the receipt moves it on, a cancelled notice lets the citizen ask again.
 * Each event is applied once (inbox); positions of anything else are acknowledged and ignored.
 */
export async function startPaymentConsumer(setup: PaymentConsumerSetup): Promise<Consumer> {
  const { bus, database, logger } = setup;
  const now = setup.now ?? (() => new Date());
  return consumeEvents(
    {
      bus,
      database,
      logger,
      name: PAYMENTS_CONSUMER,
      types: ['payment.position-created', 'payment.received', 'payment.position-cancelled'],
    },
    async (event) => {
      let outcome: FeeOutcome;
      let externalRef: string | null | undefined;
      if (isEventOf(event, 'payment.position-created')) {
        externalRef = event.data.externalRef;
        outcome = {
          kind: 'position-created',
          positionId: event.data.positionId,
          noticeNumber: event.data.noticeNumber,
          dueDate: event.data.dueDate,
        };
      } else if (isEventOf(event, 'payment.received')) {
        externalRef = event.data.externalRef;
        outcome = { kind: 'received', paidAt: new Date(event.data.paidAt) };
      } else if (isEventOf(event, 'payment.position-cancelled')) {
        externalRef = event.data.externalRef;
        outcome = { kind: 'position-cancelled' };
      } else {
        return;
      }
      // Most positions are not practice fees: nothing to record for them.
      if (externalRef == null || !/^[0-9a-f-]{36}(#\d+)?$/i.test(externalRef)) return;
      await handleOnce(database.fork({ comune: event.comune }), PAYMENTS_CONSUMER, event, async (tx) => {
        await applyFeeOutcome(tx, externalRef, outcome, now());
      });
    },
  );
}
