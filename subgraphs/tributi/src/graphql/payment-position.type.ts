import { GraphQLFiscalCode, GraphQLNoticeNumber, GraphQLOrganizationFiscalCode } from '@sportello/schema';
import { GraphQLSafeInt } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { BulkJobStatusEnum, InstalmentStatusEnum, PaymentKindEnum, PaymentStatusEnum } from './enums.js';

@ObjectType('PrintedNotice', {
  description: 'The pagoPA notice as printed for the payer: amounts and dates in Italian format.',
})
export class PrintedNoticeType {
  @Field({ description: 'Subject of the notice (at most 90 characters).' })
  subject!: string;

  @Field(() => GraphQLOrganizationFiscalCode)
  creditorFiscalCode!: string;

  @Field()
  creditorName!: string;

  @Field(() => GraphQLFiscalCode)
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

  @Field(() => Int, { nullable: true })
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

  @Field(() => GraphQLNoticeNumber)
  noticeNumber!: string;

  @Field(() => InstalmentStatusEnum)
  status!: string;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  @Field(() => String, { nullable: true })
  receiptId!: string | null;

  @Field({ description: 'Text of the pagoPA QR code for the amount due today.' })
  qrPayload!: string;

  @Field(() => PrintedNoticeType)
  notice!: PrintedNoticeType;
}

@ObjectType('Fine', { description: 'Details of a fine (contravvenzione).' })
export class FineType {
  @Field()
  plate!: string;

  @Field()
  place!: string;

  @Field({ description: 'The article violated.' })
  article!: string;

  @Field()
  violatedAt!: Date;

  @Field({ description: 'Day of notification, `YYYY-MM-DD`.' })
  notifiedOn!: string;

  @Field(() => GraphQLSafeInt)
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
  @Field(() => ID)
  id!: string;

  @Field(() => PaymentKindEnum)
  kind!: string;

  @Field(() => Int)
  year!: number;

  @Field()
  description!: string;

  @Field(() => GraphQLFiscalCode)
  payerFiscalCode!: string;

  @Field(() => GraphQLOrganizationFiscalCode)
  creditorFiscalCode!: string;

  @Field(() => GraphQLSafeInt, { description: 'Total of the instalments, in cents.' })
  amountCents!: number;

  @Field(() => PaymentStatusEnum)
  status!: string;

  @Field(() => [PaymentInstalmentType])
  instalments!: PaymentInstalmentType[];

  @Field(() => FineType, { nullable: true })
  fine!: FineType | null;

  @Field(() => String, { nullable: true, description: "The office's own reference (household, record)." })
  externalRef!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => String, { nullable: true })
  cancellationReason!: string | null;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}

@ObjectType('PaymentPositionConnection')
export class PaymentPositionConnectionType {
  @Field(() => [PaymentPositionType])
  nodes!: PaymentPositionType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;

  @Field(() => Int, { description: 'Positions matching, over every page.' })
  totalCount!: number;
}

@ObjectType('PaymentReceipt', { description: 'A payment recorded for one notice.' })
export class PaymentReceiptType {
  @Field(() => GraphQLNoticeNumber)
  noticeNumber!: string;

  @Field()
  receiptId!: string;

  @Field(() => ID)
  positionId!: string;

  @Field(() => GraphQLSafeInt)
  amountCents!: number;

  @Field()
  paidAt!: Date;

  @Field(() => PaymentStatusEnum, { description: 'Status of the position after this payment.' })
  positionStatus!: string;
}

@ObjectType('PaymentTotal', { description: 'Count and sum of positions of one kind in one status.' })
export class PaymentTotalType {
  @Field(() => PaymentKindEnum)
  kind!: string;

  @Field(() => PaymentStatusEnum)
  status!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => GraphQLSafeInt)
  amountCents!: number;
}

@ObjectType('PaymentBulkJob', { description: 'A bulk creation of positions and its progress.' })
export class PaymentBulkJobType {
  @Field(() => ID)
  id!: string;

  @Field(() => BulkJobStatusEnum)
  status!: string;

  @Field(() => PaymentKindEnum)
  kind!: string;

  @Field(() => Int)
  year!: number;

  @Field()
  description!: string;

  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  processed!: number;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}
