import { GraphQLFiscalCode, GraphQLNoticeNumber } from '@sportello/schema';
import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, InputType, Int } from 'type-graphql';
import { PaymentKindEnum, PaymentStatusEnum } from './enums.js';

@InputType('NewFineInput', { description: 'Details of a fine (contravvenzione) to create.' })
export class NewFineInput {
  @Field({ description: 'Number plate of the vehicle.' })
  plate!: string;

  @Field({ description: 'Where the violation happened.' })
  place!: string;

  @Field({ description: 'The article violated, e.g. `art. 7 c. 1 CdS`.' })
  article!: string;

  @Field({ description: 'When the violation happened.' })
  violatedAt!: Date;

  @Field({ description: 'Day of notification, `YYYY-MM-DD`.' })
  notifiedOn!: string;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: 'Amount if paid within the reduction window; by default the configured reduction applies.',
  })
  reducedAmountCents?: number | null;
}

@InputType('NewPaymentPositionInput', { description: 'A payment position to create.' })
export class NewPaymentPositionInput {
  @Field(() => PaymentKindEnum, { description: 'What the position is for.' })
  kind!: string;

  @Field(() => Int, { description: 'Tax or reference year.' })
  year!: number;

  @Field({ description: 'Subject of the notice, at most 90 characters.' })
  description!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the payer.' })
  payerFiscalCode!: string;

  @Field(() => GraphQLSafeInt, { description: 'Whole amount in cents, split evenly over the instalments.' })
  amountCents!: number;

  @Field(() => [String], {
    description: 'One `YYYY-MM-DD` per instalment, ascending; one date = single payment.',
  })
  dueDates!: string[];

  @Field(() => String, { nullable: true, description: "The office's own reference, unique in the comune." })
  externalRef?: string | null;

  @Field(() => NewFineInput, { nullable: true, description: 'Required for kind FINE, refused otherwise.' })
  fine?: NewFineInput | null;
}

@InputType('PaymentBulkItemInput', { description: 'One payer of a bulk job.' })
export class PaymentBulkItemInput {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the payer.' })
  payerFiscalCode!: string;

  @Field(() => GraphQLSafeInt, {
    description: 'Whole amount in cents, split evenly over the job’s instalments.',
  })
  amountCents!: number;

  @Field(() => String, { nullable: true, description: 'The office’s own reference, unique in the comune.' })
  externalRef?: string | null;

  @Field(() => String, { nullable: true, description: "Overrides the job's description for this payer." })
  description?: string | null;
}

@InputType('NewPaymentBulkJobInput', {
  description: 'Positions of one kind to create for many payers at once.',
})
export class NewPaymentBulkJobInput {
  @Field({
    description:
      "The office's key for this submission, 1 to 100 of `A-Z a-z 0-9 . : - _` (e.g. `TARI-2026-saldo`): " +
      'sending the same job again with it returns the job already queued; the same key with other content is a CONFLICT.',
  })
  idempotencyKey!: string;

  @Field(() => PaymentKindEnum, { description: 'What the positions are for.' })
  kind!: string;

  @Field(() => Int, { description: 'Tax or reference year.' })
  year!: number;

  @Field({ description: 'Subject of the notices, at most 90 characters.' })
  description!: string;

  @Field(() => [String], {
    description: 'One `YYYY-MM-DD` per instalment, ascending; one date = single payment.',
  })
  dueDates!: string[];

  @Field(() => [PaymentBulkItemInput], {
    description:
      'One line per payer; at most 100000 (through the API a job fits its body limit up to about a thousand items: upload larger runs to POST /payment-bulk-jobs).',
  })
  items!: PaymentBulkItemInput[];
}

@InputType('PaymentSearchInput', { description: 'Every field given narrows the search.' })
export class PaymentSearchInput {
  @Field(() => GraphQLFiscalCode, { nullable: true, description: 'Only positions of this payer.' })
  payerFiscalCode?: string | null;

  @Field(() => GraphQLNoticeNumber, {
    nullable: true,
    description: 'Only the position with this notice number.',
  })
  noticeNumber?: string | null;

  @Field(() => PaymentKindEnum, { nullable: true, description: 'Only positions of this kind.' })
  kind?: string | null;

  @Field(() => Int, { nullable: true, description: 'Only positions of this year.' })
  year?: number | null;

  @Field(() => PaymentStatusEnum, { nullable: true, description: 'Only positions in this status.' })
  status?: string | null;
}

@InputType('PaymentReceiptInput', {
  description: "A payment provider's confirmation that a notice was paid.",
})
export class PaymentReceiptInput {
  @Field(() => GraphQLNoticeNumber, { description: 'The 18-digit pagoPA notice number that was paid.' })
  noticeNumber!: string;

  @Field(() => GraphQLSafeInt, {
    description: 'Amount paid, in cents: exactly what the notice asks on that day.',
  })
  amountCents!: number;

  @Field({ description: 'When the payment was made.' })
  paidAt!: Date;

  @Field({ description: "The provider's receipt id; delivering the same receipt again changes nothing." })
  receiptId!: string;
}
