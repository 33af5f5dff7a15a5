import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLJSONObject } from 'graphql-scalars';
import { CITIZEN_DESCRIPTION, CitizenKey, connectionType } from '@sportello/platform';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { ActorKindEnum, MessageAuthorEnum, PracticeFeeStatusEnum, PracticeStatusEnum } from './enums.js';

@ObjectType('PracticeActor', { description: 'Who did something: a public id, never a fiscal code.' })
export class PracticeActorType {
  @Field(() => ActorKindEnum, {
    description: 'Whether a citizen, a staff member, an app or the system acted.',
  })
  kind!: string;

  @Field({ description: 'A staff username, a citizen pseudonym or a service job name.' })
  id!: string;

  @Field({ description: 'True when the caller is this actor.' })
  you!: boolean;
}

@ObjectType('PracticeChange', { description: 'One entry of a practice timeline.' })
export class PracticeChangeType {
  @Field({ description: 'When the change happened.' })
  at!: Date;

  @Field({ description: 'The workflow step (`create`, `submit`, `register`, `take-in-charge`...).' })
  action!: string;

  @Field(() => PracticeStatusEnum, {
    nullable: true,
    description: 'Status before; null for the creation of the draft.',
  })
  from!: string | null;

  @Field(() => PracticeStatusEnum, { description: 'Status after.' })
  to!: string;

  @Field(() => PracticeActorType, { description: 'Who made the change.' })
  actor!: PracticeActorType;

  @Field(() => String, {
    nullable: true,
    description: 'Note given with the change (e.g. the reason of a rejection); null when none.',
  })
  note!: string | null;

  @Field(() => String, { nullable: true, description: 'Set on registration steps.' })
  protocolNumber!: string | null;
}

@ObjectType('PracticeIntegrationRequest', {
  description: 'The office’s request for more documents or information.',
})
export class IntegrationRequestType {
  @Field(() => ID, { description: 'Identifier of the request.' })
  id!: string;

  @Field({ description: 'What the office asks for.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'Deadline, YYYY-MM-DD.' })
  respondBy!: string | null;

  @Field({ description: 'When the office asked.' })
  requestedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The citizen’s answer; null until answered.' })
  answer!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the citizen answered; null until answered.' })
  answeredAt!: Date | null;
}

@ObjectType('PracticeMessage', {
  description: 'A message between the citizen and the office about a practice.',
})
export class PracticeMessageType {
  @Field(() => ID, { description: 'Identifier of the message.' })
  id!: string;

  @Field(() => MessageAuthorEnum, { description: 'Whether the citizen or the office wrote it.' })
  author!: string;

  @Field(() => PracticeActorType, { description: 'Who wrote it.' })
  actor!: PracticeActorType;

  @Field({ description: 'The text of the message.' })
  body!: string;

  @Field({ description: 'When it was posted.' })
  postedAt!: Date;
}

@ObjectType('PracticeAttachment', { description: 'A file on a practice or a report.' })
export class AttachmentType {
  @Field(() => ID, { description: 'Identifier of the file.' })
  id!: string;

  @Field({ description: 'The required-attachment code it fulfils, or `other`.' })
  kind!: string;

  @Field({ description: 'File name given on upload.' })
  filename!: string;

  @Field({ description: 'Detected from the content, not taken from the client.' })
  mimeType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  size!: number;

  @Field({ description: 'SHA-256 of the content, hex.' })
  sha256!: string;

  @Field(() => MessageAuthorEnum, { description: 'Whether the citizen or the office uploaded it.' })
  uploadedBy!: string;

  @Field({ description: 'When it was uploaded.' })
  uploadedAt!: Date;

  @Field({ description: 'Path to download it with the same bearer token.' })
  downloadPath!: string;
}

@ObjectType('PracticeFeePayment', {
  description:
    'The pagoPA fee of a practice: its notice, whether it is paid, or the exemption staff recorded.',
})
export class PracticeFeePaymentType {
  @Field(() => Int, { description: 'Euro cents.' })
  amountCents!: number;

  @Field(() => PracticeFeeStatusEnum, { description: 'Where the fee stands.' })
  status!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The pagoPA notice number (18 digits) to pay, once tributi has made it.',
  })
  noticeNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'Day the notice falls due, YYYY-MM-DD.' })
  dueDate!: string | null;

  @Field(() => Date, { nullable: true, description: 'When payment was last asked for.' })
  requestedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was paid, per the receipt.' })
  paidAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why staff exempted the practice from its fee.' })
  exemptionReason!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType('Practice', {
  description:
    'A citizen’s application. Visible to its applicant, the person it is for, and staff of its office.',
})
export class PracticeType {
  @Field(() => ID, { description: 'Identifier of the practice.' })
  id!: string;

  @Field({ description: 'Code of its practice type.' })
  typeCode!: string;

  @Field({ description: 'The office that handles it.' })
  office!: string;

  @Field(() => PracticeStatusEnum, { description: 'Where the practice stands.' })
  status!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Who filed it.' })
  applicantFiscalCode!: string;

  @Field(() => GraphQLFiscalCode, { nullable: true, description: 'The person the applicant acts for.' })
  onBehalfOfFiscalCode!: string | null;

  @Field(() => GraphQLJSONObject, {
    description: 'The last saved form data (always valid against the type).',
  })
  data!: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: 'Latest protocol number, `YYYY/NNNNNN`.' })
  protocolNumber!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was first submitted; null while a draft.' })
  submittedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When it was last registered with a protocol number; null before.',
  })
  registeredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Reason of the acceptance or rejection.' })
  outcomeReason!: string | null;

  /** What the workflow table allows the caller from the status (the `availableActions` field narrows it). */
  availableActions!: string[];

  @Field({ description: 'When the draft was created.' })
  createdAt!: Date;

  @Field({ description: 'When the practice last changed.' })
  updatedAt!: Date;
}

export const PracticeConnectionType = connectionType(PracticeType, 'Practice', 'practices');

@ObjectType('PracticeStatusCount', { description: 'How many practices are in one status.' })
export class PracticeStatusCountType {
  @Field(() => PracticeStatusEnum, { description: 'The status.' })
  status!: string;

  @Field(() => Int, { description: 'How many practices are in it.' })
  count!: number;
}

@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen', { description: CITIZEN_DESCRIPTION })
export class CitizenType extends CitizenKey {}
