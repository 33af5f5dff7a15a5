import { consumeEvents, handleOnce, type Consumer, type EntityManager } from '@sportello/platform';
import { isEventOf, type Actor, type EventOf } from '@sportello/schema';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import { cancelPosition } from '../domain/cancellation.js';
import { billRequestedFee, type FeeConsumerSetup } from './fee-requests.js';

/** Durable consumer (and inbox) name of practice fees. */
export const PRACTICE_FEES_CONSUMER = 'tributi-practice-fees';

/** Who makes and cancels practice fee positions, for the record and the events. */
const PRACTICE_FEES_ACTOR: Actor = { kind: 'system', id: 'practice-fees' };

/** What {@link startPracticeFeesConsumer} needs. */
export interface PracticeFeesSetup extends FeeConsumerSetup {
  lockRows: boolean;
}

/**
 * Makes the payment position a practice asks for (`practice.payment-requested`): one position of
 * kind `other` for the applicant, with the fee request's reference (the practice id) as
 * `externalRef`, announced by `payment.position-created` like any other. However often the event
 * is delivered there is one position: the inbox records the event, and a position already made
 * for the reference is left as it is. `practice.fee-exempted` cancels the position still to pay,
 * and so does a practice withdrawn (`practice.status-changed` to `withdrawn`).
 */
export async function startPracticeFeesConsumer(setup: PracticeFeesSetup): Promise<Consumer> {
  const { bus, database, logger } = setup;
  return consumeEvents(
    {
      bus,
      database,
      logger,
      name: PRACTICE_FEES_CONSUMER,
      types: ['practice.payment-requested', 'practice.fee-exempted', 'practice.status-changed'],
    },
    async (event) => {
      const em = database.fork({ comune: event.comune });
      if (isEventOf(event, 'practice.payment-requested')) {
        await handleOnce(em, PRACTICE_FEES_CONSUMER, event, (tx) => makePosition(tx, event, setup));
      } else if (isEventOf(event, 'practice.fee-exempted')) {
        await handleOnce(em, PRACTICE_FEES_CONSUMER, event, (tx) => cancelForExemption(tx, event, setup));
      } else if (isEventOf(event, 'practice.status-changed') && event.data.to === 'withdrawn') {
        await handleOnce(em, PRACTICE_FEES_CONSUMER, event, (tx) => cancelForWithdrawal(tx, event, setup));
      }
    },
  );
}

async function makePosition(
  em: EntityManager,
  event: EventOf<'practice.payment-requested'>,
  setup: PracticeFeesSetup,
): Promise<void> {
  const { data } = event;
  const violations = await billRequestedFee(
    em,
    event,
    {
      fiscalCode: data.applicantFiscalCode,
      createdBy: `practice:${data.practiceId}`,
      actor: PRACTICE_FEES_ACTOR,
    },
    setup.fineRules,
  );
  if (violations.length > 0) {
    // The catalogue checked the event; a fee tributi cannot bill is a configuration problem.
    setup.logger.error(
      { eventId: event.id, practiceId: data.practiceId, violations },
      'practice fee not billed: the request breaks a position rule',
    );
  }
}

async function cancelForExemption(
  em: EntityManager,
  event: EventOf<'practice.fee-exempted'>,
  setup: PracticeFeesSetup,
): Promise<void> {
  const { data } = event;
  if (data.externalRef === null) return;
  const position = await em.findOne(PaymentPositionEntity, { externalRef: data.externalRef });
  if (position === null || position.status === 'paid' || position.status === 'cancelled') return;
  // The notice says why it must not be paid: the office's reason when it fits the 500 characters.
  const reason = `Esenzione: ${data.reason}`;
  await cancelPosition(em, position.id, reason.length <= 500 ? reason : 'Esenzione accordata dall’ufficio', {
    actor: PRACTICE_FEES_ACTOR,
    cancelledBy: `practice:${data.practiceId}`,
    now: new Date(),
    lockRows: setup.lockRows,
  });
}

/** A withdrawn practice's fee is no longer owed: every notice still to pay for it is cancelled. */
async function cancelForWithdrawal(
  em: EntityManager,
  event: EventOf<'practice.status-changed'>,
  setup: PracticeFeesSetup,
): Promise<void> {
  const { practiceId } = event.data;
  const positions = await em.find(PaymentPositionEntity, {
    // The practice's fee requests: its id, then `<id>#<n>` (a UUID holds no LIKE wildcard).
    externalRef: { $like: `${practiceId}%` },
    status: { $in: ['to-pay', 'expired'] },
  });
  for (const position of positions) {
    await cancelPosition(em, position.id, 'Pratica ritirata dal richiedente', {
      actor: PRACTICE_FEES_ACTOR,
      cancelledBy: `practice:${practiceId}`,
      now: new Date(),
      lockRows: setup.lockRows,
    });
  }
}
