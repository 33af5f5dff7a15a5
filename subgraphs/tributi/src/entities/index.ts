import { JobLease } from '@sportello/platform';
import { BulkJobItemEntity } from './bulk-job-item.entity.js';
import { BulkJobEntity } from './bulk-job.entity.js';
import { CreditorEntity } from './creditor.entity.js';
import { InstalmentEntity } from './instalment.entity.js';
import { PaymentPositionEntity } from './payment-position.entity.js';
import { PaymentReminderEntity } from './payment-reminder.entity.js';

/** Every entity of the tributi database, for `createDatabase({ entities })` and migrations. */
export const TRIBUTI_ENTITIES = [
  CreditorEntity,
  PaymentPositionEntity,
  InstalmentEntity,
  PaymentReminderEntity,
  BulkJobEntity,
  BulkJobItemEntity,
  // The lease of the scheduled jobs (one runner per slot across replicas).
  JobLease,
];
