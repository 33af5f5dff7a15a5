import { GraphQLFiscalCode, GraphQLNoticeNumber } from '@sportello/schema';
import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, InputType, Int } from 'type-graphql';
import { PaymentKindEnum, PaymentStatusEnum } from './enums.js';

@InputType('NewFineInput')
export class NewFineInput {
  @Field()
  plate!: string;

  @Field()
  place!: string;

  @Field({ description: 'The article violated, e.g. `art. 7 c. 1 CdS`.' })
  article!: string;

  @Field()
  violatedAt!: Date;

  @Field({ description: 'Day of notification, `YYYY-MM-DD`.' })
  notifiedOn!: string;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: 'Amount if paid within the reduction window; by default the configured reduction applies.',
  })
  reducedAmountCents?: number | null;
}

@InputType('NewPaymentPositionInput')
export class NewPaymentPositionInput {
  @Field(() => PaymentKindEnum)
  kind!: string;

  @Field(() => Int)
  year!: number;

  @Field({ description: 'Subject of the notice, at most 90 characters.' })
  description!: string;

  @Field(() => GraphQLFiscalCode)
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

@InputType('PaymentBulkItemInput')
export class PaymentBulkItemInput {
  @Field(() => GraphQLFiscalCode)
  payerFiscalCode!: string;

  @Field(() => GraphQLSafeInt)
  amountCents!: number;

  @Field(() => String, { nullable: true })
  externalRef?: string | null;

  @Field(() => String, { nullable: true, description: "Overrides the job's description for this payer." })
  description?: string | null;
}

@InputType('NewPaymentBulkJobInput')
export class NewPaymentBulkJobInput {
  @Field(() => PaymentKindEnum)
  kind!: string;

  @Field(() => Int)
  year!: number;

  @Field()
  description!: string;

  @Field(() => [String])
  dueDates!: string[];

  @Field(() => [PaymentBulkItemInput], { description: 'One line per payer; at most 50000.' })
  items!: PaymentBulkItemInput[];
}

@InputType('PaymentSearchInput', { description: 'Every field given narrows the search.' })
export class PaymentSearchInput {
  @Field(() => GraphQLFiscalCode, { nullable: true })
  payerFiscalCode?: string | null;

  @Field(() => GraphQLNoticeNumber, { nullable: true })
  noticeNumber?: string | null;

  @Field(() => PaymentKindEnum, { nullable: true })
  kind?: string | null;

  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field(() => PaymentStatusEnum, { nullable: true })
  status?: string | null;
}

@InputType('PaymentReceiptInput', {
  description: "A payment provider's confirmation that a notice was paid.",
})
export class PaymentReceiptInput {
  @Field(() => GraphQLNoticeNumber)
  noticeNumber!: string;

  @Field(() => GraphQLSafeInt, {
    description: 'Amount paid, in cents: exactly what the notice asks on that day.',
  })
  amountCents!: number;

  @Field()
  paidAt!: Date;

  @Field({ description: "The provider's receipt id; delivering the same receipt again changes nothing." })
  receiptId!: string;
}
