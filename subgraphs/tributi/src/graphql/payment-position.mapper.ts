import { formatNoticeNumber, pagoPaQrPayload } from '@sportello/schema';
import type { EntityManager } from '@sportello/platform';
import { formatEuroAmount } from '../domain/amounts.js';
import { reducedUntil, type FineRules } from '../domain/fines.js';
import type { CreditorProfile } from '../domain/notice-numbers.js';
import { amountDueOn } from '../domain/positions.js';
import type { RecordedReceipt } from '../domain/receipts.js';
import type { BulkJob } from '../entities/bulk-job.entity.js';
import { InstalmentEntity, type Instalment } from '../entities/instalment.entity.js';
import type { PaymentPosition } from '../entities/payment-position.entity.js';
import {
  FineType,
  PaymentBulkJobType,
  PaymentInstalmentType,
  PaymentPositionType,
  PaymentReceiptType,
  PrintedNoticeType,
} from './payment-position.type.js';
import { formatItalianDate } from '@sportello/platform';

/** What mapping needs besides the rows. */
export interface MappingContext {
  creditor: CreditorProfile;
  now: Date;
  fineRules: FineRules;
}

/** Instalments of the given positions in one query, grouped by position, in order. */
export async function instalmentsOf(
  em: EntityManager,
  positionIds: readonly string[],
): Promise<Map<string, Instalment[]>> {
  const byPosition = new Map<string, Instalment[]>(positionIds.map((id) => [id, []]));
  if (positionIds.length === 0) return byPosition;
  const rows = await em.find(
    InstalmentEntity,
    { positionId: { $in: [...positionIds] } },
    { orderBy: { positionId: 'asc', dueDate: 'asc' } },
  );
  for (const row of rows) byPosition.get(row.positionId)?.push(row);
  return byPosition;
}

/** Entity to GraphQL: only what the schema publishes. */
export function toPositionType(
  position: PaymentPosition,
  instalments: readonly Instalment[],
  mapping: MappingContext,
): PaymentPositionType {
  const fine =
    position.kind === 'fine' && position.fineNotifiedOn != null
      ? Object.assign(new FineType(), {
          plate: position.finePlate ?? '',
          place: position.finePlace ?? '',
          article: position.fineArticle ?? '',
          violatedAt: position.fineViolatedAt ?? position.createdAt,
          notifiedOn: position.fineNotifiedOn,
          reducedAmountCents: position.fineReducedAmountCents ?? position.amountCents,
          reducedUntil: reducedUntil(position.fineNotifiedOn, mapping.fineRules),
        })
      : null;
  return Object.assign(new PaymentPositionType(), {
    id: position.id,
    kind: position.kind,
    year: position.year,
    description: position.description,
    payerFiscalCode: position.payerFiscalCode,
    creditorFiscalCode: position.creditorFiscalCode,
    amountCents: position.amountCents,
    status: position.status,
    instalments: instalments.map((instalment) =>
      toInstalmentType(position, instalment, instalments.length, mapping),
    ),
    fine,
    externalRef: position.externalRef ?? null,
    createdAt: position.createdAt,
    paidAt: position.paidAt ?? null,
    cancelledAt: position.cancelledAt ?? null,
    cancellationReason: position.cancellationReason ?? null,
  });
}

function toInstalmentType(
  position: PaymentPosition,
  instalment: Instalment,
  count: number,
  mapping: MappingContext,
): PaymentInstalmentType {
  const dueToday = amountDueOn(position, instalment, mapping.now, mapping.fineRules);
  const qrPayload = pagoPaQrPayload({
    noticeNumber: instalment.noticeNumber,
    creditorFiscalCode: position.creditorFiscalCode,
    amountCents: dueToday,
  });
  const reduced =
    position.kind === 'fine' && position.fineReducedAmountCents != null && position.fineNotifiedOn != null;
  const notice = Object.assign(new PrintedNoticeType(), {
    subject: position.description,
    creditorFiscalCode: position.creditorFiscalCode,
    creditorName: mapping.creditor.name,
    payerFiscalCode: position.payerFiscalCode,
    amount: formatEuroAmount(dueToday),
    dueDate: formatItalianDate(instalment.dueDate),
    noticeCode: formatNoticeNumber(instalment.noticeNumber),
    qrPayload,
    instalment: instalment.number ?? null,
    instalmentCount: instalment.number == null ? null : count,
    reducedAmount: reduced ? formatEuroAmount(position.fineReducedAmountCents ?? 0) : null,
    reducedUntil: reduced
      ? formatItalianDate(reducedUntil(position.fineNotifiedOn ?? '', mapping.fineRules))
      : null,
  });
  return Object.assign(new PaymentInstalmentType(), {
    number: instalment.number ?? null,
    amountCents: instalment.amountCents,
    amountDueTodayCents: dueToday,
    dueDate: instalment.dueDate,
    noticeNumber: instalment.noticeNumber,
    status: instalment.status,
    paidAt: instalment.paidAt ?? null,
    receiptId: instalment.receiptId ?? null,
    qrPayload,
    notice,
  });
}

export function toReceiptType(receipt: RecordedReceipt): PaymentReceiptType {
  return Object.assign(new PaymentReceiptType(), receipt);
}

export function toBulkJobType(
  job: Pick<
    BulkJob,
    'id' | 'status' | 'kind' | 'year' | 'description' | 'total' | 'processed' | 'createdAt'
  > &
    Partial<Pick<BulkJob, 'startedAt' | 'finishedAt' | 'error' | 'idempotencyKey'>>,
): PaymentBulkJobType {
  return Object.assign(new PaymentBulkJobType(), {
    id: job.id,
    status: job.status,
    idempotencyKey: job.idempotencyKey ?? null,
    kind: job.kind,
    year: job.year,
    description: job.description,
    total: job.total,
    processed: job.processed,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    error: job.error ?? null,
  });
}
