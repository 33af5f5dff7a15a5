import { GraphQLFiscalCode, GraphQLNoticeNumber, GraphQLOrganizationFiscalCode } from '@sportello/schema';
import { GraphQLSafeInt } from 'graphql-scalars';
import { connectionType } from '@sportello/platform';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { BulkJobStatusEnum, InstalmentStatusEnum, PaymentKindEnum, PaymentStatusEnum } from './enums.js';

@ObjectType('PrintedNotice', {
  description: 'The pagoPA notice as printed for the payer: amounts and dates in Italian format.',
})
export class PrintedNoticeType {
  @Field({ description: 'Subject of the notice (at most 90 characters).' })
  subject!: string;

  @Field(() => GraphQLOrganizationFiscalCode, {
    description: 'Fiscal code of the comune as creditor (ente creditore, 11 digits).',
  })
  creditorFiscalCode!: string;

  @Field({ description: 'Name of the creditor as printed on the notice.' })
  creditorName!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the payer.' })
  payerFiscalCode!: string;

  @Field({ description: 'Amount due today, e.g. `1.020,99` (euro).' })
  amount!: string;

  @Field({ description: 'Due date, `dd/mm/yyyy`.' })
  dueDate!: string;

  @Field({ description: 'Notice code in groups of 4 digits, e.g. `3010 0000 0000 0014 4`.' })
  noticeCode!: string;

  @Field({ description: 'Text of the QR code: PAGOPA|002|notice|creditor|cents.' })
  qrPayload!: string;

  @Field(() => Int, { nullable: true, description: '1-based instalment number; null for a single payment.' })
  instalment!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'How many instalments the position has; null for a single payment.',
  })
  instalmentCount!: number | null;

  @Field(() => String, { nullable: true, description: 'Fines: the reduced amount, e.g. `29,40`.' })
  reducedAmount!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Fines: last day of the reduced amount, `dd/mm/yyyy`.',
  })
  reducedUntil!: string | null;
}

@ObjectType('PaymentInstalment', { description: 'One payable notice of a position.' })
export class PaymentInstalmentType {
  @Field(() => Int, { nullable: true, description: '1-based; null for a single payment.' })
  number!: number | null;

  @Field(() => GraphQLSafeInt, { description: 'Full amount of this instalment, in cents.' })
  amountCents!: number;

  @Field(() => GraphQLSafeInt, {
    description: 'What paying today costs, in cents (a fine paid within the reduction window costs less).',
  })
  amountDueTodayCents!: number;

  @Field({ description: '`YYYY-MM-DD`.' })
  dueDate!: string;

  @Field(() => GraphQLNoticeNumber, {
    description: 'The 18-digit pagoPA notice number (numero avviso) to pay this instalment with.',
  })
  noticeNumber!: string;

  @Field(() => InstalmentStatusEnum, { description: 'Whether this instalment is paid.' })
  status!: string;

  @Field(() => Date, { nullable: true, description: 'When the payment was made; null while unpaid.' })
  paidAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'The payment provider’s receipt id; null while unpaid.',
  })
  receiptId!: string | null;

  @Field({ description: 'Text of the pagoPA QR code for the amount due today.' })
  qrPayload!: string;

  @Field(() => PrintedNoticeType, { description: 'The notice as printed for the payer.' })
  notice!: PrintedNoticeType;
}

@ObjectType('Fine', { description: 'Details of a fine (contravvenzione).' })
export class FineType {
  @Field({ description: 'Number plate of the vehicle.' })
  plate!: string;

  @Field({ description: 'Where the violation happened.' })
  place!: string;

  @Field({ description: 'The article violated.' })
  article!: string;

  @Field({ description: 'When the violation happened.' })
  violatedAt!: Date;

  @Field({ description: 'Day of notification, `YYYY-MM-DD`.' })
  notifiedOn!: string;

  @Field(() => GraphQLSafeInt, { description: 'Amount due if paid by reducedUntil, in cents.' })
  reducedAmountCents!: number;

  @Field({ description: 'Last day the reduced amount applies, `YYYY-MM-DD`.' })
  reducedUntil!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('PaymentPosition', {
  description:
    'What a payer owes the comune for one reason, payable with pagoPA (one notice per instalment).',
})
export class PaymentPositionType {
  @Field(() => ID, { description: 'Identifier of the position.' })
  id!: string;

  @Field(() => PaymentKindEnum, { description: 'What the position is for.' })
  kind!: string;

  @Field(() => Int, { description: 'Tax or reference year.' })
  year!: number;

  @Field({ description: 'Subject of the notices (at most 90 characters).' })
  description!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the payer.' })
  payerFiscalCode!: string;

  @Field(() => GraphQLOrganizationFiscalCode, {
    description: 'Fiscal code of the comune as creditor (11 digits).',
  })
  creditorFiscalCode!: string;

  @Field(() => GraphQLSafeInt, { description: 'Total of the instalments, in cents.' })
  amountCents!: number;

  @Field(() => PaymentStatusEnum, { description: 'Where the position stands as a whole.' })
  status!: string;

  @Field(() => [PaymentInstalmentType], {
    description: 'The instalments, in due-date order; a single payment has one.',
  })
  instalments!: PaymentInstalmentType[];

  @Field(() => FineType, { nullable: true, description: 'Details of the fine; null unless kind is FINE.' })
  fine!: FineType | null;

  @Field(() => String, { nullable: true, description: "The office's own reference (household, record)." })
  externalRef!: string | null;

  @Field({ description: 'When the position was created.' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the last instalment was paid; null until fully paid.',
  })
  paidAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the position was cancelled; null unless cancelled.',
  })
  cancelledAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the position was cancelled; null unless cancelled.',
  })
  cancellationReason!: string | null;
}

@ObjectType('PaymentReceipt', { description: 'A payment recorded for one notice.' })
export class PaymentReceiptType {
  @Field(() => GraphQLNoticeNumber, { description: 'The 18-digit pagoPA notice number that was paid.' })
  noticeNumber!: string;

  @Field({ description: 'The payment provider’s receipt id.' })
  receiptId!: string;

  @Field(() => ID, { description: 'The position the notice belongs to.' })
  positionId!: string;

  @Field(() => GraphQLSafeInt, { description: 'Amount paid, in cents.' })
  amountCents!: number;

  @Field({ description: 'When the payment was made.' })
  paidAt!: Date;

  @Field(() => PaymentStatusEnum, { description: 'Status of the position after this payment.' })
  positionStatus!: string;
}

@ObjectType('PaymentTotal', { description: 'Count and sum of positions of one kind in one status.' })
export class PaymentTotalType {
  @Field(() => PaymentKindEnum, { description: 'Kind of the positions counted.' })
  kind!: string;

  @Field(() => PaymentStatusEnum, { description: 'Status of the positions counted.' })
  status!: string;

  @Field(() => Int, { description: 'How many positions.' })
  count!: number;

  @Field(() => GraphQLSafeInt, { description: 'Sum of their amounts, in cents.' })
  amountCents!: number;
}

@ObjectType('PaymentBulkJob', { description: 'A bulk creation of positions and its progress.' })
export class PaymentBulkJobType {
  @Field(() => ID, { description: 'Identifier of the job.' })
  id!: string;

  @Field(() => BulkJobStatusEnum, { description: 'Where the job stands.' })
  status!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The key the office submitted it with (null for jobs queued before keys were asked).',
  })
  idempotencyKey!: string | null;

  @Field(() => PaymentKindEnum, { description: 'Kind of the positions created.' })
  kind!: string;

  @Field(() => Int, { description: 'Tax or reference year of the positions.' })
  year!: number;

  @Field({ description: 'Subject of the notices, unless an item overrides it.' })
  description!: string;

  @Field(() => Int, { description: 'How many positions the job creates.' })
  total!: number;

  @Field(() => Int, { description: 'How many have been created so far.' })
  processed!: number;

  @Field({ description: 'When the job was queued.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When work started; null while queued.' })
  startedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the job completed, failed or was cancelled; null before.',
  })
  finishedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the job failed, in words for the office; null unless FAILED.',
  })
  error!: string | null;
}

export const PaymentPositionConnectionType = connectionType(
  PaymentPositionType,
  'PaymentPosition',
  'payment positions',
);
export const PaymentReceiptConnectionType = connectionType(PaymentReceiptType, 'PaymentReceipt', 'payments');
export const PaymentBulkJobConnectionType = connectionType(PaymentBulkJobType, 'PaymentBulkJob', 'bulk jobs');
