import type { EntityManager, ServiceConsumerSetup } from '@sportello/platform';
import type { Actor, EventOf } from '@sportello/schema';
import type { RuleViolation } from '../errors.js';
import type { FineRules } from '../domain/fines.js';
import { billFee } from '../domain/fee-positions.js';

/** What a consumer of another service's fee requests needs. */
export interface FeeConsumerSetup extends ServiceConsumerSetup {
  fineRules: FineRules;
}

/** An event asking tributi to bill a fee: a practice's, or a certificate's stamp duty. */
type FeeRequested = EventOf<'practice.payment-requested'> | EventOf<'certificate.payment-requested'>;

/** Who pays the fee an event asks for, who asked (for the record, `practice:<id>`) and as whom. */
interface FeePayer {
  fiscalCode: string;
  createdBy: string;
  actor: Actor;
}

/**
 * Bills the fee an event asks for, with {@link billFee}: one position per reference.
 * @returns the position rules the request breaks (no position is made), or none
 */
export async function billRequestedFee(
  em: EntityManager,
  event: FeeRequested,
  payer: FeePayer,
  fineRules: FineRules,
): Promise<RuleViolation[]> {
  const { data } = event;
  const outcome = await billFee(
    em,
    {
      comune: event.comune,
      payerFiscalCode: payer.fiscalCode,
      amountCents: data.amountCents,
      dueDate: data.dueDate,
      description: data.description,
      externalRef: data.externalRef,
      createdBy: payer.createdBy,
      actor: payer.actor,
    },
    fineRules,
  );
  return Array.isArray(outcome) ? outcome : [];
}
