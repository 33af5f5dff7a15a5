import { registerEnumType } from 'type-graphql';

/** GraphQL names of domain values (which use dashes and lower case), mapped to the domain values. */
export const PaymentKindEnum = {
  IMU: 'IMU',
  TARI: 'TARI',
  TEFA: 'TEFA',
  FINE: 'fine',
  SECRETARY_FEE: 'secretary-fee',
  SCHOOL_CANTEEN: 'school-canteen',
  OTHER: 'other',
} as const;

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
} as const;

registerEnumType(PaymentKindEnum, { name: 'PaymentKind', description: 'What a payment position is for.' });
registerEnumType(PaymentStatusEnum, {
  name: 'PaymentStatus',
  description: 'TO_PAY: open; EXPIRED: an instalment is past due (still payable, late); PAID; CANCELLED.',
});
registerEnumType(InstalmentStatusEnum, { name: 'InstalmentStatus' });
registerEnumType(BulkJobStatusEnum, { name: 'PaymentBulkJobStatus' });
