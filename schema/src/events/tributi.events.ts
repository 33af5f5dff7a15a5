import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { noticeNumberSchema } from '../scalars/notice-number.js';
import { organizationFiscalCodeSchema } from '../scalars/organization-fiscal-code.js';
import { defineEvent } from './define-event.js';
import { amountCents, isoDate, isoDateTime, offsetDays, publicId } from './fields.js';

/** What a position is for; `other` covers fees the comune adds. */
export const PAYMENT_KINDS = [
  'IMU',
  'TARI',
  'TEFA',
  'fine',
  'secretary-fee',
  'school-canteen',
  'other',
] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

/**
 * Everything a payment message needs (App IO `payment_data`, the printed notice): the creditor
 * must be the sender, the subject fits the notice's 90 characters.
 */
const payable = {
  positionId: publicId,
  noticeNumber: noticeNumberSchema,
  amountCents,
  dueDate: isoDate,
  payerFiscalCode: fiscalCodeSchema,
  creditorFiscalCode: organizationFiscalCodeSchema,
  description: z.string().min(1).max(90).describe('subject of the notice'),
  instalment: z.number().int().min(1).max(99).nullable().describe('1-based; null for a single payment'),
};

/** The creator's own reference of a position (a practice's fee request, a household id). */
const externalRef = z
  .string()
  .min(1)
  .max(100)
  .nullable()
  .optional()
  .describe(
    'the reference the position was created with, if any (absent in events recorded before it existed)',
  );

export const paymentPositionCreated = defineEvent({
  type: 'payment.position-created',
  version: 1,
  producer: 'tributi',
  consumers: ['notifier', 'gateway', 'practices', 'anagrafe'],
  description:
    'A payment position (one notice) was created for a payer; `externalRef` says what for (a practice fee: the practice id; ' +
    'a certificate’s stamp duty: the certificate request id).',
  data: z.object({ ...payable, kind: z.enum(PAYMENT_KINDS), externalRef }),
});

export const paymentReceived = defineEvent({
  type: 'payment.received',
  version: 1,
  producer: 'tributi',
  consumers: ['notifier', 'gateway', 'practices', 'anagrafe'],
  description:
    'A notice was paid and its receipt recorded (a practice fee moves its practice on; a certificate’s ' +
    'stamp duty has anagrafe issue the certificate).',
  data: z.object({
    positionId: publicId,
    noticeNumber: noticeNumberSchema,
    amountCents,
    payerFiscalCode: fiscalCodeSchema,
    paidAt: isoDateTime,
    externalRef,
  }),
});

export const paymentDueSoon = defineEvent({
  type: 'payment.due-soon',
  version: 1,
  producer: 'tributi',
  consumers: ['notifier'],
  description: 'An unpaid notice is due in `offsetDays` days. Carries what an App IO payment message needs.',
  data: z.object({ ...payable, offsetDays: offsetDays.describe('days left before the due date') }),
});

export const paymentOverdue = defineEvent({
  type: 'payment.overdue',
  version: 1,
  producer: 'tributi',
  consumers: ['notifier', 'gateway'],
  description: 'A notice was not paid by its due date.',
  data: z.object(payable),
});

export const paymentPositionCancelled = defineEvent({
  type: 'payment.position-cancelled',
  version: 1,
  producer: 'tributi',
  consumers: ['notifier', 'gateway', 'practices', 'anagrafe'],
  description: 'A payment position was cancelled by the office; its notice must not be paid.',
  data: z.object({
    positionId: publicId,
    noticeNumber: noticeNumberSchema,
    payerFiscalCode: fiscalCodeSchema,
    reason: z.string().min(1).max(500).optional(),
    externalRef,
  }),
});

export const paymentFeeRefused = defineEvent({
  type: 'payment.fee-refused',
  version: 1,
  producer: 'tributi',
  consumers: ['anagrafe'],
  description:
    "A fee another service asked for (a certificate's stamp duty, with its `externalRef`) could not be billed: " +
    'the request breaks a rule of payment positions, so no position or pagoPA notice was made. The asking ' +
    'service shows its request as failed with `reason`, for the citizen and the office.',
  data: z.object({
    externalRef: z.string().min(1).max(100).describe('the reference the fee was asked for'),
    payerFiscalCode: fiscalCodeSchema,
    reason: z.string().min(1).max(500).describe('why, in words for the citizen and the office'),
  }),
});

/** Where a bulk billing job stands (`PaymentBulkJob.status`). */
export const BULK_JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

export const paymentBulkJobChanged = defineEvent({
  type: 'payment.bulk-job-changed',
  version: 1,
  producer: 'tributi',
  consumers: ['gateway'],
  description:
    'A bulk billing job moved on: batches of positions were created (at most about one event a second while it ' +
    'runs, never one per position), or it completed, failed, was cancelled or queued again. Tributi staff follow ' +
    'it live through `paymentBulkJobChanged(id)`.',
  data: z.object({
    jobId: publicId,
    status: z.enum(BULK_JOB_STATES),
    processed: z.number().int().min(0).describe('positions created so far'),
    total: z.number().int().min(0).describe('positions the job creates'),
  }),
});

export const tributiEvents = [
  paymentPositionCreated,
  paymentReceived,
  paymentDueSoon,
  paymentOverdue,
  paymentPositionCancelled,
  paymentFeeRefused,
  paymentBulkJobChanged,
] as const;
