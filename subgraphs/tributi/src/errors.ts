import { BadUserInputError, ConflictError, NotFoundError } from '@sportello/platform';
import { formatEuroAmount } from './domain/amounts.js';

/** One broken rule of an input, `field` as a dotted path inside it. */
export interface RuleViolation {
  field: string;
  message: string;
}

/**
 * Turns rule violations into one BAD_USER_INPUT error: the message lists them all, `field` names
 * the first (so a form can focus it) and `violations` carries every one.
 */
export function invalidInput(violations: readonly RuleViolation[], prefix = 'input'): BadUserInputError {
  const first = violations[0];
  const path = (field: string) => (field === '' ? prefix : `${prefix}.${field}`);
  return new BadUserInputError(violations.map((v) => `${path(v.field)}: ${v.message}`).join('; '), {
    field: first === undefined ? prefix : path(first.field),
    violations: violations.map((v) => ({ field: path(v.field), message: v.message })),
  });
}

/** No position with this id that the caller may see. */
export function positionNotFound(id: string): NotFoundError {
  return new NotFoundError(`No payment position with id ${id}`);
}

/** No notice with this number in the comune. */
export function noticeNotFound(noticeNumber: string, comune: string): NotFoundError {
  return new NotFoundError(`No payment notice ${noticeNumber} was issued by comune ${comune}`, {
    noticeNumber,
  });
}

/** A receipt whose amount is not what the notice asks for. */
export function wrongAmount(
  noticeNumber: string,
  expectedCents: number,
  receivedCents: number,
): BadUserInputError {
  const kind = receivedCents < expectedCents ? 'Partial payment' : 'Over-payment';
  return new BadUserInputError(
    `${kind} for notice ${noticeNumber}: expected ${formatEuroAmount(expectedCents)} EUR ` +
      `(${expectedCents} cents), received ${formatEuroAmount(receivedCents)} EUR (${receivedCents} cents)`,
    { field: 'amountCents', expectedCents, receivedCents },
  );
}

/** A cancelled position's notices must not be paid. */
export function positionCancelled(noticeNumber: string): ConflictError {
  return new ConflictError(
    `Notice ${noticeNumber} belongs to a cancelled payment position and cannot be paid: refund the payer`,
    { reason: 'POSITION_CANCELLED' },
  );
}

/** The notice was already paid with another receipt. */
export function alreadyPaid(noticeNumber: string, receiptId: string): ConflictError {
  return new ConflictError(
    `Notice ${noticeNumber} is already paid with receipt ${receiptId}: this second payment must be refunded`,
    { reason: 'ALREADY_PAID', receiptId },
  );
}
