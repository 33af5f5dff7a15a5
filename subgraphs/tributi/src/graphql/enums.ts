import { registerGraphQLEnum } from '@sportello/platform';
import { PAYMENT_KINDS } from '@sportello/schema';
import { BULK_JOB_STATUSES, INSTALMENT_STATUSES, POSITION_STATUSES } from '../domain/vocabulary.js';

export const PaymentKindEnum = registerGraphQLEnum(PAYMENT_KINDS, {
  name: 'PaymentKind',
  description: 'What a payment position is for.',
  values: {
    IMU: 'Property tax (Imposta municipale unica), usually in June and December.',
    TARI: 'Waste tax (Tassa sui rifiuti), in instalments.',
    TEFA: 'Provincial environmental levy collected with TARI.',
    FINE: 'A fine (contravvenzione); cheaper if paid within the reduction window.',
    SECRETARY_FEE: 'Secretary fees (diritti di segreteria).',
    SCHOOL_CANTEEN: 'School canteen.',
    OTHER: 'Anything else the comune collects.',
  },
});

export const PaymentStatusEnum = registerGraphQLEnum(POSITION_STATUSES, {
  name: 'PaymentStatus',
  description: 'TO_PAY: open; EXPIRED: an instalment is past due (still payable, late); PAID; CANCELLED.',
  values: {
    TO_PAY: 'Open, nothing past due.',
    PAID: 'Every instalment is paid.',
    EXPIRED: 'An instalment is past due; still payable, late.',
    CANCELLED: 'Cancelled by the office; unpaid notices can no longer be paid.',
  },
});

export const InstalmentStatusEnum = registerGraphQLEnum(INSTALMENT_STATUSES, {
  name: 'InstalmentStatus',
  description: 'Whether one instalment (one pagoPA notice) is paid.',
  values: {
    UNPAID: 'Not paid yet.',
    PAID: 'Paid; the receipt is recorded.',
    CANCELLED: 'The position was cancelled before this instalment was paid.',
  },
});

export const BulkJobStatusEnum = registerGraphQLEnum(BULK_JOB_STATUSES, {
  name: 'PaymentBulkJobStatus',
  description: 'Where a bulk creation of positions stands.',
  values: {
    QUEUED: 'Waiting to start.',
    RUNNING: 'Creating positions in batches.',
    COMPLETED: 'Every position was created.',
    FAILED: 'Stopped on an error (see error): the positions created stay; retry or cancel it.',
    CANCELLED: 'Cancelled by the office: no position was created for the items left.',
  },
});
