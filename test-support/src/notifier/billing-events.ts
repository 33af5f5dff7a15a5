import {
  computeFiscalCode,
  createEvent,
  makeNoticeNumber,
  type Actor,
  type EventOf,
} from '@sportello/schema';

/** Who a billing run bills unless told otherwise: Mario Rossi, born in Rome on 1 January 1980. */
export const BILLED_PAYER = computeFiscalCode({
  surname: 'Rossi',
  name: 'Mario',
  birthDate: '1980-01-01',
  sex: 'M',
  birthPlaceCode: 'H501',
});

/** The run a {@link tariNoticeCreated} event belongs to. */
export interface TariBillingRun {
  comune: string;
  /** @default {@link BILLED_PAYER} */
  payerFiscalCode?: string;
  /** Who records the positions (tributi, a benchmark). */
  actor: Actor;
}

/**
 * The `payment.position-created` of the `i`-th notice of a TARI billing run: 100 EUR for the run's
 * payer, due on 16 December 2026. Positions and notice numbers follow `i`, so a run's are distinct.
 */
export function tariNoticeCreated(i: number, run: TariBillingRun): EventOf<'payment.position-created'> {
  return createEvent('payment.position-created', {
    comune: run.comune,
    subject: `pos-${i}`,
    actor: run.actor,
    data: {
      positionId: `pos-${i}`,
      noticeNumber: makeNoticeNumber({ segregationCode: '01', iuvBase: BigInt(i) }),
      amountCents: 10_000,
      dueDate: '2026-12-16',
      payerFiscalCode: run.payerFiscalCode ?? BILLED_PAYER,
      creditorFiscalCode: '00856930102',
      description: 'TARI 2026',
      instalment: null,
      kind: 'TARI',
    },
  });
}
