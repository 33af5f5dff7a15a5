import { LockMode } from '@mikro-orm/core';
import type { Actor } from '@sportello/schema';
import { ConflictError, recordEvent, type EntityManager } from '@sportello/platform';
import { InstalmentEntity } from '../entities/instalment.entity.js';
import { PaymentPositionEntity, type PaymentPosition } from '../entities/payment-position.entity.js';
import { invalidInput, positionNotFound } from '../errors.js';
import { positionCancelledEvent } from '../events/tributi-events.js';

/**
 * Cancels a position: its unpaid notices stop being payable and each gets a
 * `payment.position-cancelled` event. Paid instalments stay paid (a refund is another matter).
 *
 * @throws {NotFoundError} for an unknown position.
 * @throws {ConflictError} when it is already cancelled or fully paid.
 * @throws {BadUserInputError} for a reason longer than 500 characters.
 */
export async function cancelPosition(
  em: EntityManager,
  id: string,
  reason: string | null,
  options: { actor: Actor; cancelledBy: string; now: Date; lockRows: boolean },
): Promise<PaymentPosition> {
  const why = reason?.trim() || null;
  if (why !== null && why.length > 500) {
    throw invalidInput([{ field: 'reason', message: 'must be at most 500 characters' }], 'cancellation');
  }
  return em.transactional(async (tx) => {
    const position = await tx.findOne(
      PaymentPositionEntity,
      { id },
      { refresh: true, ...(options.lockRows ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
    );
    if (position === null) throw positionNotFound(id);
    if (position.status === 'cancelled') {
      throw new ConflictError(`Payment position ${id} is already cancelled`, { reason: 'ALREADY_CANCELLED' });
    }
    if (position.status === 'paid') {
      throw new ConflictError(`Payment position ${id} is paid and cannot be cancelled`, {
        reason: 'ALREADY_PAID',
      });
    }
    const open = await tx.find(
      InstalmentEntity,
      { positionId: id, status: 'unpaid' },
      { orderBy: { dueDate: 'asc' } },
    );
    position.status = 'cancelled';
    position.cancelledAt = options.now;
    position.cancelledBy = options.cancelledBy;
    position.cancellationReason = why;
    for (const instalment of open) {
      instalment.status = 'cancelled';
      recordEvent(tx, positionCancelledEvent(position, instalment, why, options.actor, options.now));
    }
    await tx.flush();
    return position;
  });
}
