import { LockMode } from '@mikro-orm/core';
import { parseNoticeNumber, type Actor } from '@sportello/schema';
import { BadUserInputError, recordEvent, type EntityManager } from '@sportello/platform';
import { InstalmentEntity } from '../entities/instalment.entity.js';
import { PaymentPositionEntity, type PaymentPosition } from '../entities/payment-position.entity.js';
import { alreadyPaid, noticeNotFound, positionCancelled, wrongAmount } from '../errors.js';
import { paymentReceivedEvent } from '../events/tributi-events.js';
import type { FineRules } from './fines.js';
import { amountDueOn } from './positions.js';
import type { PositionStatus } from './vocabulary.js';

/** A payment provider's confirmation that a notice was paid. */
export interface PaymentReceiptInput {
  noticeNumber: string;
  amountCents: number;
  paidAt: Date;
  /** The provider's receipt id (e.g. the pagoPA receipt id); delivering it again changes nothing. */
  receiptId: string;
}

/** What a recorded receipt answers: the same for the first delivery and every repeat. */
export interface RecordedReceipt {
  noticeNumber: string;
  receiptId: string;
  positionId: string;
  amountCents: number;
  paidAt: Date;
  /** The position's status after this receipt (`paid` once every instalment is). */
  positionStatus: PositionStatus;
}

/**
 * How far a receipt's `paidAt` may be ahead of this service's clock: the provider's clock and ours
 * differ a little, a payment made later than now does not exist.
 */
export const RECEIPT_CLOCK_SKEW_MS = 5 * 60_000;

function checkInput(input: PaymentReceiptInput, now: Date): string {
  let noticeNumber: string;
  try {
    noticeNumber = parseNoticeNumber(input.noticeNumber);
  } catch (error) {
    throw new BadUserInputError(`noticeNumber: ${(error as Error).message}`, { field: 'noticeNumber' });
  }
  if (!Number.isInteger(input.amountCents) || input.amountCents < 1) {
    throw new BadUserInputError(`amountCents must be a whole number of cents, got ${input.amountCents}`, {
      field: 'amountCents',
    });
  }
  if (Number.isNaN(input.paidAt.getTime())) {
    throw new BadUserInputError('paidAt is not a valid instant', { field: 'paidAt' });
  }
  if (input.paidAt.getTime() > now.getTime() + RECEIPT_CLOCK_SKEW_MS) {
    throw new BadUserInputError(
      `paidAt ${input.paidAt.toISOString()} is in the future (now ${now.toISOString()}): a receipt records a payment already made`,
      { field: 'paidAt' },
    );
  }
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(input.receiptId)) {
    throw new BadUserInputError('receiptId must be 1 to 100 letters, digits, ".", "_", ":" or "-"', {
      field: 'receiptId',
    });
  }
  return noticeNumber;
}

/**
 * Records a payment receipt for one notice, in a transaction of its own: the instalment becomes
 * paid, the position too once every instalment is, and `payment.received` goes to the outbox.
 *
 * The same receipt again answers the same result and changes nothing. On PostgreSQL the position
 * row is locked first, so two receipts for two instalments of one position arriving together
 * still leave the position `paid`.
 *
 * @throws {NotFoundError} for a notice the comune never issued.
 * @throws {BadUserInputError} for a malformed receipt (a `paidAt` more than
 *   {@link RECEIPT_CLOCK_SKEW_MS} ahead of `now` among them), or an amount other than the one due on the
 *   payment day (partial and over-payments), naming both amounts.
 * @throws {ConflictError} when the position is cancelled or the notice was paid with another receipt.
 */
export async function recordPaymentReceipt(
  em: EntityManager,
  comune: string,
  input: PaymentReceiptInput,
  options: { from: string; actor: Actor | null; fineRules: FineRules; now: Date; lockRows: boolean },
): Promise<RecordedReceipt> {
  const noticeNumber = checkInput(input, options.now);
  return em.transactional(async (tx) => {
    const found = await tx.findOne(InstalmentEntity, { noticeNumber });
    if (found === null) throw noticeNotFound(noticeNumber, comune);
    // SQLite has one writer at a time already; PostgreSQL needs the row lock.
    const position = await tx.findOneOrFail(
      PaymentPositionEntity,
      { id: found.positionId },
      { refresh: true, ...(options.lockRows ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
    );
    const instalment = await tx.findOneOrFail(InstalmentEntity, { id: found.id }, { refresh: true });

    if (instalment.status === 'paid') {
      if (instalment.receiptId !== input.receiptId)
        throw alreadyPaid(noticeNumber, instalment.receiptId ?? 'unknown');
      return answer(
        position,
        instalment.receiptId,
        instalment.paidAmountCents ?? instalment.amountCents,
        instalment.paidAt,
      );
    }
    if (position.status === 'cancelled' || instalment.status === 'cancelled')
      throw positionCancelled(noticeNumber);
    const expected = amountDueOn(position, instalment, input.paidAt, options.fineRules);
    if (input.amountCents !== expected) throw wrongAmount(noticeNumber, expected, input.amountCents);

    instalment.status = 'paid';
    instalment.paidAt = input.paidAt;
    instalment.paidAmountCents = input.amountCents;
    instalment.receiptId = input.receiptId;
    instalment.receiptFrom = options.from;
    const others = await tx.count(InstalmentEntity, {
      positionId: position.id,
      id: { $ne: instalment.id },
      status: { $ne: 'paid' },
    });
    if (others === 0) {
      position.status = 'paid';
      position.paidAt = input.paidAt;
    }
    recordEvent(tx, paymentReceivedEvent(position, instalment, options.actor, options.now));
    await tx.flush();
    return answer(position, input.receiptId, input.amountCents, input.paidAt);
  });

  function answer(
    position: PaymentPosition,
    receiptId: string,
    amountCents: number,
    paidAt: Date | null | undefined,
  ) {
    return {
      noticeNumber,
      receiptId,
      positionId: position.id,
      amountCents,
      paidAt: paidAt ?? input.paidAt,
      positionStatus: position.status as PositionStatus,
    };
  }
}
