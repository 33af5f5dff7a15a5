import { connectionType } from '@sportello/platform';
import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ResidenceChangeStatusEnum } from './enums.js';
import { AddressType } from './resident.type.js';

@ObjectType('ResidenceChangeStep', { description: 'One status change of a residence declaration.' })
export class ResidenceChangeStepType {
  @Field(() => ResidenceChangeStatusEnum, {
    nullable: true,
    description: 'Status before; null for the declaration itself.',
  })
  from!: string | null;

  @Field(() => ResidenceChangeStatusEnum, { description: 'Status after.' })
  to!: string;

  @Field({ description: 'When the change happened.' })
  at!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The office’s note (e.g. the obstacles found); null when none.',
  })
  note!: string | null;
}

@ObjectType('ResidenceChangeDocument', {
  description: 'A document the applicant sent with a reply to a notice of obstacles.',
})
export class ResidenceChangeDocumentType {
  @Field(() => ID, { description: 'Identifier of the document.' })
  id!: string;

  @Field({ description: 'The file name as the applicant gave it.' })
  filename!: string;

  @Field({ description: 'The type found in the content: application/pdf, image/png or image/jpeg.' })
  mimeType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  size!: number;

  @Field({ description: 'SHA-256 of the content, hexadecimal: what was received, to check a copy against.' })
  sha256!: string;

  @Field({
    description:
      'Where the applicant and anagrafe staff download it (GET with the bearer token), on the public origin.',
  })
  url!: string;
}

@ObjectType('ResidenceChangeReply', {
  description: 'The applicant’s answer to a notice of obstacles, for the office to weigh.',
})
export class ResidenceChangeReplyType {
  @Field({ description: 'When the answer was sent.' })
  at!: Date;

  @Field({ description: 'What the applicant wrote.' })
  text!: string;

  @Field(() => [ResidenceChangeDocumentType], {
    description: 'The documents sent with the answer, in the order given.',
  })
  documents!: ResidenceChangeDocumentType[];
}

@ObjectType('ResidenceChangeMover', { description: 'A person moving under a residence declaration.' })
export class ResidenceChangeMoverType {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the person moving.' })
  fiscalCode!: string;

  @Field(() => AddressType, {
    description:
      'The address before the move, restored if the declaration is rejected or withdrawn after registration.',
  })
  previousAddress!: AddressType;
}

@ObjectType('ResidenceChange', { description: 'A change-of-residence declaration within the comune.' })
export class ResidenceChangeType {
  @Field(() => ID, { description: 'Identifier of the declaration.' })
  id!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the person who declared the move.' })
  applicantFiscalCode!: string;

  @Field(() => [ResidenceChangeMoverType], {
    description: 'Everyone moving: the applicant and family members moving with them.',
  })
  movers!: ResidenceChangeMoverType[];

  @Field(() => AddressType, { description: 'The new address.' })
  address!: AddressType;

  @Field(() => ResidenceChangeStatusEnum, { description: 'Where the declaration stands.' })
  status!: string;

  @Field(() => GraphQLLocalDate, { description: 'The change takes effect from this day once registered.' })
  declaredOn!: string;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Day the office registered the declaration, `YYYY-MM-DD`; null before.',
  })
  registeredOn!: string | null;

  @Field(() => GraphQLLocalDate, {
    description:
      'Last day for the office to register the declaration: the 2nd working day after it (DPR 223/1989, art. 18; Saturdays, Sundays and national holidays do not count).',
  })
  registrationDueBy!: string;

  @Field({
    description: 'Whether the declaration still waits for registration after `registrationDueBy`.',
  })
  overdue!: boolean;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Day a notice of obstacles was sent, `YYYY-MM-DD`; null when none.',
  })
  obstaclesNotifiedOn!: string | null;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Last day to answer the notice of obstacles.',
  })
  replyDueOn!: string | null;

  @Field(() => GraphQLLocalDate, {
    description: 'Without an outcome by then, the change is accepted by silence.',
  })
  checkDeadline!: string;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Day of the outcome (accepted, rejected or withdrawn), `YYYY-MM-DD`; null while open.',
  })
  decidedOn!: string | null;

  @Field(() => [ResidenceChangeStepType], { description: 'Every status change, oldest first.' })
  history!: ResidenceChangeStepType[];

  @Field(() => [ResidenceChangeReplyType], {
    description: 'The applicant’s answers to the notice of obstacles, oldest first.',
  })
  replies!: ResidenceChangeReplyType[];
}

export const ResidenceChangeConnectionType = connectionType(
  ResidenceChangeType,
  'ResidenceChange',
  'change-of-residence declarations',
);
