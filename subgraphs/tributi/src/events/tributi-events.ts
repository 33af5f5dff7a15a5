import { createEvent, type Actor, type EventOf, type PaymentKind } from '@sportello/schema';
import type { BulkJobStatus } from '../domain/vocabulary.js';
import type { Instalment } from '../entities/instalment.entity.js';
import type { PaymentPosition } from '../entities/payment-position.entity.js';

/** The fields every "pay this notice" event carries (App IO payment data, the printed notice). */
function payable(position: PaymentPosition, instalment: Instalment, amountCents: number) {
  return {
    positionId: position.id,
    noticeNumber: instalment.noticeNumber,
    amountCents,
    dueDate: instalment.dueDate,
    payerFiscalCode: position.payerFiscalCode,
    creditorFiscalCode: position.creditorFiscalCode,
    description: position.description,
    instalment: instalment.number ?? null,
  };
}

/** `payment.position-created`: one per notice of a new position. */
export function positionCreatedEvent(
  position: PaymentPosition,
  instalment: Instalment,
  amountCents: number,
  actor: Actor | null,
  occurredAt: Date,
): EventOf<'payment.position-created'> {
  return createEvent('payment.position-created', {
    comune: position.comune,
    subject: position.id,
    actor,
    occurredAt,
    data: {
      ...payable(position, instalment, amountCents),
      kind: position.kind as PaymentKind,
      externalRef: position.externalRef ?? null,
    },
  });
}

/** `payment.due-soon` for an unpaid notice `offsetDays` days before its due date. */
export function dueSoonEvent(
  position: PaymentPosition,
  instalment: Instalment,
  amountCents: number,
  offsetDays: number,
  occurredAt: Date,
): EventOf<'payment.due-soon'> {
  return createEvent('payment.due-soon', {
    comune: position.comune,
    subject: position.id,
    actor: { kind: 'system', id: 'payment-reminders' },
    occurredAt,
    data: { ...payable(position, instalment, amountCents), offsetDays },
  });
}

/** `payment.overdue` for an unpaid notice past its due date. */
export function overdueEvent(
  position: PaymentPosition,
  instalment: Instalment,
  amountCents: number,
  occurredAt: Date,
): EventOf<'payment.overdue'> {
  return createEvent('payment.overdue', {
    comune: position.comune,
    subject: position.id,
    actor: { kind: 'system', id: 'payment-reminders' },
    occurredAt,
    data: payable(position, instalment, amountCents),
  });
}

/** `payment.received` once a receipt is recorded for a notice. */
export function paymentReceivedEvent(
  position: PaymentPosition,
  instalment: Instalment,
  actor: Actor | null,
  occurredAt: Date,
): EventOf<'payment.received'> {
  return createEvent('payment.received', {
    comune: position.comune,
    subject: position.id,
    actor,
    occurredAt,
    data: {
      positionId: position.id,
      noticeNumber: instalment.noticeNumber,
      amountCents: instalment.paidAmountCents ?? instalment.amountCents,
      payerFiscalCode: position.payerFiscalCode,
      paidAt: (instalment.paidAt ?? occurredAt).toISOString(),
      externalRef: position.externalRef ?? null,
    },
  });
}

/** `payment.position-cancelled`: one per notice that must no longer be paid. */
export function positionCancelledEvent(
  position: PaymentPosition,
  instalment: Instalment,
  reason: string | null,
  actor: Actor | null,
  occurredAt: Date,
): EventOf<'payment.position-cancelled'> {
  return createEvent('payment.position-cancelled', {
    comune: position.comune,
    subject: position.id,
    actor,
    occurredAt,
    data: {
      positionId: position.id,
      noticeNumber: instalment.noticeNumber,
      payerFiscalCode: position.payerFiscalCode,
      ...(reason === null ? {} : { reason }),
      externalRef: position.externalRef ?? null,
    },
  });
}

/** `payment.bulk-job-changed`: where a bulk job stands after a batch, or its end, cancel or retry. */
export function bulkJobChangedEvent(
  job: { id: string; comune: string; status: BulkJobStatus; processed: number; total: number },
  actor: Actor | null,
  occurredAt: Date,
): EventOf<'payment.bulk-job-changed'> {
  return createEvent('payment.bulk-job-changed', {
    comune: job.comune,
    subject: job.id,
    actor,
    occurredAt,
    data: { jobId: job.id, status: job.status, processed: job.processed, total: job.total },
  });
}
