import { graphqlEnumOf } from '@sportello/platform';
import { PAYMENT_KINDS } from '@sportello/schema';
import { registerEnumType } from 'type-graphql';

/** GraphQL names of domain values (which use dashes and lower case), mapped to the domain values. */
export const PaymentKindEnum = graphqlEnumOf(PAYMENT_KINDS);

export const PaymentStatusEnum = {
  TO_PAY: 'to-pay',
  PAID: 'paid',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled',
} as const;

export const InstalmentStatusEnum = { UNPAID: 'unpaid', PAID: 'paid', CANCELLED: 'cancelled' } as const;

export const BulkJobStatusEnum = {
  QUEUED: 'queued',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;

registerEnumType(PaymentKindEnum, {
  name: 'PaymentKind',
  description: 'What a payment position is for.',
  valuesConfig: {
    IMU: { description: 'Property tax (Imposta municipale unica), usually in June and December.' },
    TARI: { description: 'Waste tax (Tassa sui rifiuti), in instalments.' },
    TEFA: { description: 'Provincial environmental levy collected with TARI.' },
    FINE: { description: 'A fine (contravvenzione); cheaper if paid within the reduction window.' },
    SECRETARY_FEE: { description: 'Secretary fees (diritti di segreteria).' },
    SCHOOL_CANTEEN: { description: 'School canteen.' },
    OTHER: { description: 'Anything else the comune collects.' },
  },
});
registerEnumType(PaymentStatusEnum, {
  name: 'PaymentStatus',
  description: 'TO_PAY: open; EXPIRED: an instalment is past due (still payable, late); PAID; CANCELLED.',
  valuesConfig: {
    TO_PAY: { description: 'Open, nothing past due.' },
    PAID: { description: 'Every instalment is paid.' },
    EXPIRED: { description: 'An instalment is past due; still payable, late.' },
    CANCELLED: { description: 'Cancelled by the office; unpaid notices can no longer be paid.' },
  },
});
registerEnumType(InstalmentStatusEnum, {
  name: 'InstalmentStatus',
  description: 'Whether one instalment (one pagoPA notice) is paid.',
  valuesConfig: {
    UNPAID: { description: 'Not paid yet.' },
    PAID: { description: 'Paid; the receipt is recorded.' },
    CANCELLED: { description: 'The position was cancelled before this instalment was paid.' },
  },
});
registerEnumType(BulkJobStatusEnum, {
  name: 'PaymentBulkJobStatus',
  description: 'Where a bulk creation of positions stands.',
  valuesConfig: {
    QUEUED: { description: 'Waiting to start.' },
    RUNNING: { description: 'Creating positions in batches.' },
    COMPLETED: { description: 'Every position was created.' },
    FAILED: {
      description: 'Stopped on an error (see error): the positions created stay; retry or cancel it.',
    },
    CANCELLED: { description: 'Cancelled by the office: no position was created for the items left.' },
  },
});
