import type { EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import type { RuleViolation } from '../errors.js';
import type { FineRules } from './fines.js';
import { createPositions, positionViolations, type NewPosition } from './positions.js';

/** A fee another service asks a payer for (a practice's fee, a certificate's stamp duty). */
export interface FeeRequest {
  comune: string;
  payerFiscalCode: string;
  amountCents: number;
  /** `YYYY-MM-DD`; its year is the position's. */
  dueDate: string;
  description: string;
  /** The asking service's reference: one position per reference, however often it is asked. */
  externalRef: string;
  /** Who asked, for the record (`practice:<id>`). */
  createdBy: string;
  actor: Actor;
}

/**
 * Makes the single-instalment position of kind `other` a fee request asks for, announced by
 * `payment.position-created` like any other, unless one was already made for its reference.
 * @returns `made`, `exists`, or the position rules the request breaks (nothing is made)
 */
export async function billFee(
  em: EntityManager,
  request: FeeRequest,
  fineRules: FineRules,
): Promise<'made' | 'exists' | RuleViolation[]> {
  const existing = await em.findOne(PaymentPositionEntity, { externalRef: request.externalRef });
  if (existing !== null) return 'exists';
  const input: NewPosition = {
    kind: 'other',
    year: Number(request.dueDate.slice(0, 4)),
    description: request.description,
    payerFiscalCode: request.payerFiscalCode,
    amountCents: request.amountCents,
    dueDates: [request.dueDate],
    externalRef: request.externalRef,
  };
  const violations = positionViolations(input, fineRules);
  if (violations.length > 0) return violations;
  await createPositions(em, [input], {
    comune: request.comune,
    actor: request.actor,
    createdBy: request.createdBy,
    now: new Date(),
    fineRules,
  });
  return 'made';
}
