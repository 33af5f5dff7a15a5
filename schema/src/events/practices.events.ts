import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { defineEvent } from './define-event.js';
import { amountCents, isoDate, isoDateTime, officeName, publicId, staffNote } from './fields.js';

/**
 * The states of a practice (istanza). Final states: accepted, rejected, withdrawn. The integration
 * loop (integration-requested -> integration-answered -> submitted-after-integration -> registered)
 * may repeat.
 */
export const PRACTICE_STATUSES = [
  'draft',
  'payment-pending',
  'payment-outcome-pending',
  'payment-succeeded',
  'payment-failed',
  'submitted',
  'registered',
  'taken-in-charge',
  'integration-requested',
  'integration-answered',
  'submitted-after-integration',
  'processing',
  'accepted',
  'rejected',
  'withdrawn',
] as const;
export type PracticeStatus = (typeof PRACTICE_STATUSES)[number];

/** The states of a citizen report (segnalazione), as shown to the reporter. */
export const REPORT_STATUSES = [
  'received',
  'taken-in-charge',
  'in-progress',
  'resolved',
  'rejected',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

const practice = {
  practiceId: publicId,
  typeCode: z.string().min(1).max(100),
  typeTitle: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the practice type as citizens read it (absent in events recorded before it existed)'),
  office: officeName,
  applicantFiscalCode: fiscalCodeSchema,
};

/** The protocol number of a registered practice, on the events after `practice.submitted`. */
const protocolNumber = z
  .string()
  .min(1)
  .max(100)
  .nullable()
  .optional()
  .describe('null until registered (absent in events recorded before it existed)');

/** A text staff wrote to the citizen on a practice (as long as practices accepts it). */
const practiceText = z.string().min(1).max(4000);

const appointment = {
  appointmentId: publicId,
  office: officeName,
  citizenFiscalCode: fiscalCodeSchema,
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  practiceId: publicId.nullable().describe('the practice the appointment is for, if any'),
};

const endsAfterStart = (value: { startsAt: string; endsAt: string }) =>
  Date.parse(value.endsAt) > Date.parse(value.startsAt);
const endsAfterStartIssue = { message: 'endsAt must be after startsAt', path: ['endsAt'] };

export const practiceSubmitted = defineEvent({
  type: 'practice.submitted',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description:
    'A citizen submitted a practice. `protocolNumber` is null until the protocol registers it; ' +
    '`onBehalfOfFiscalCode` is set when the applicant acts for someone else.',
  data: z.object({
    ...practice,
    protocolNumber: z.string().min(1).max(100).nullable().describe('null until registered'),
    onBehalfOfFiscalCode: fiscalCodeSchema.nullable().describe('the person the applicant acts for'),
  }),
});

export const practiceStatusChanged = defineEvent({
  type: 'practice.status-changed',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway', 'tributi'],
  description:
    'A practice moved from one state to another (every change, including internal ones: consumers ' +
    'choose which states to tell the citizen about). `onBehalfOfFiscalCode` names the person the ' +
    'practice is for when the applicant acts for someone else, so they hear of it too.',
  data: z.object({
    ...practice,
    onBehalfOfFiscalCode: fiscalCodeSchema
      .nullable()
      .optional()
      .describe('the person the applicant acts for (absent in events recorded before it existed)'),
    protocolNumber,
    from: z.enum(PRACTICE_STATUSES).nullable().describe('null for a new practice'),
    to: z.enum(PRACTICE_STATUSES),
    note: staffNote.optional(),
  }),
});

export const practiceIntegrationRequested = defineEvent({
  type: 'practice.integration-requested',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description:
    'The office asked the applicant for more documents or information, by `respondBy` if set; ' +
    '`message` is what the office asks, for the notice to the citizen.',
  data: z.object({
    ...practice,
    protocolNumber,
    integrationId: publicId,
    respondBy: isoDate.nullable().describe('deadline for the answer, if any'),
    message: practiceText.optional().describe('what the office asks for'),
  }),
});

export const practiceMessagePosted = defineEvent({
  type: 'practice.message-posted',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description:
    'A message was posted on a practice by the citizen or an operator. A staff message carries its ' +
    "`text`, which the notifier sends to the citizen; a citizen's message stays in practices.",
  data: z.object({
    ...practice,
    protocolNumber,
    messageId: publicId,
    author: z.enum(['citizen', 'staff']),
    text: practiceText.optional().describe("the staff's message (absent for the citizen's own)"),
  }),
});

/**
 * The reference a practice's fee position carries in tributi (`externalRef`): the practice id for
 * the first request, `<practice id>#<n>` when the citizen asks again after a cancelled notice.
 */
export const practiceFeeRef = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(#[0-9]{1,3})?$/,
    'a practice id, optionally followed by #<request number>',
  );

export const practicePaymentRequested = defineEvent({
  type: 'practice.payment-requested',
  version: 1,
  producer: 'practices',
  consumers: ['tributi'],
  description:
    'A practice with a fee paid through pagoPA asks for payment (the citizen asked, or submitted a ' +
    'practice whose type charges on submission). Tributi makes one payment position for the ' +
    'applicant with `externalRef` as its reference, and announces it with `payment.position-created`.',
  data: z.object({
    ...practice,
    externalRef: practiceFeeRef,
    amountCents,
    dueDate: isoDate.describe('the day the notice falls due'),
    description: z.string().min(1).max(90).describe('subject of the notice'),
  }),
});

export const practiceFeeExempted = defineEvent({
  type: 'practice.fee-exempted',
  version: 1,
  producer: 'practices',
  consumers: ['tributi'],
  description:
    'Staff exempted a practice from its fee, with the reason. Tributi cancels the notice still to ' +
    'pay for it (`externalRef`, when one was asked for).',
  data: z.object({
    ...practice,
    externalRef: practiceFeeRef.nullable().describe('the open fee request, null when none was made'),
    reason: staffNote,
  }),
});

export const appointmentBooked = defineEvent({
  type: 'appointment.booked',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description: 'A citizen booked an office appointment.',
  data: z.object(appointment).refine(endsAfterStart, endsAfterStartIssue),
});

export const appointmentChanged = defineEvent({
  type: 'appointment.changed',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description: 'An appointment was moved to another slot; `previousStartsAt` is the old start.',
  data: z
    .object({ ...appointment, previousStartsAt: isoDateTime })
    .refine(endsAfterStart, endsAfterStartIssue),
});

export const appointmentCancelled = defineEvent({
  type: 'appointment.cancelled',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description: 'An appointment was cancelled by the citizen or by the office.',
  data: z
    .object({ ...appointment, cancelledBy: z.enum(['citizen', 'staff']), reason: staffNote.optional() })
    .refine(endsAfterStart, endsAfterStartIssue),
});

export const appointmentReminder = defineEvent({
  type: 'appointment.reminder',
  version: 1,
  producer: 'practices',
  consumers: ['notifier'],
  description: 'An appointment starts in `offsetHours` hours: time to remind the citizen.',
  data: z
    .object({
      ...appointment,
      offsetHours: z
        .number()
        .int()
        .min(0)
        .max(24 * 31)
        .describe('hours left before the start'),
    })
    .refine(endsAfterStart, endsAfterStartIssue),
});

export const reportStatusChanged = defineEvent({
  type: 'report.status-changed',
  version: 1,
  producer: 'practices',
  consumers: ['notifier', 'gateway'],
  description:
    'A citizen report (segnalazione) changed state. `reporterFiscalCode` is null for anonymous ' +
    'reports, which get no notification.',
  data: z.object({
    reportId: publicId,
    category: z.string().min(1).max(100),
    reporterFiscalCode: fiscalCodeSchema.nullable().describe('null for anonymous reports'),
    from: z.enum(REPORT_STATUSES).nullable(),
    to: z.enum(REPORT_STATUSES),
    note: staffNote.optional(),
  }),
});

export const practicesEvents = [
  practiceSubmitted,
  practiceStatusChanged,
  practiceIntegrationRequested,
  practiceMessagePosted,
  practicePaymentRequested,
  practiceFeeExempted,
  appointmentBooked,
  appointmentChanged,
  appointmentCancelled,
  appointmentReminder,
  reportStatusChanged,
] as const;
