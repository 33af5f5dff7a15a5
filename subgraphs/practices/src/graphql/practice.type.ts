import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfoType } from './connection.js';
import { ActorKindEnum, MessageAuthorEnum, PracticeActionEnum, PracticeStatusEnum } from './enums.js';

@ObjectType('PracticeActor', { description: 'Who did something: a public id, never a fiscal code.' })
export class PracticeActorType {
  @Field(() => ActorKindEnum)
  kind!: string;

  @Field({ description: 'A staff username, a citizen pseudonym or a service job name.' })
  id!: string;

  @Field({ description: 'True when the caller is this actor.' })
  you!: boolean;
}

@ObjectType('PracticeChange', { description: 'One entry of a practice timeline.' })
export class PracticeChangeType {
  @Field()
  at!: Date;

  @Field({ description: 'The workflow step (`create`, `submit`, `register`, `take-in-charge`...).' })
  action!: string;

  @Field(() => PracticeStatusEnum, { nullable: true })
  from!: string | null;

  @Field(() => PracticeStatusEnum)
  to!: string;

  @Field(() => PracticeActorType)
  actor!: PracticeActorType;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => String, { nullable: true, description: 'Set on registration steps.' })
  protocolNumber!: string | null;
}

@ObjectType('PracticeIntegrationRequest')
export class IntegrationRequestType {
  @Field(() => ID)
  id!: string;

  @Field()
  message!: string;

  @Field(() => String, { nullable: true, description: 'Deadline, YYYY-MM-DD.' })
  respondBy!: string | null;

  @Field()
  requestedAt!: Date;

  @Field(() => String, { nullable: true })
  answer!: string | null;

  @Field(() => Date, { nullable: true })
  answeredAt!: Date | null;
}

@ObjectType('PracticeMessage')
export class PracticeMessageType {
  @Field(() => ID)
  id!: string;

  @Field(() => MessageAuthorEnum)
  author!: string;

  @Field(() => PracticeActorType)
  actor!: PracticeActorType;

  @Field()
  body!: string;

  @Field()
  postedAt!: Date;
}

@ObjectType('PracticeAttachment', { description: 'A file on a practice or a report.' })
export class AttachmentType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The required-attachment code it fulfils, or `other`.' })
  kind!: string;

  @Field()
  filename!: string;

  @Field({ description: 'Detected from the content, not taken from the client.' })
  mimeType!: string;

  @Field(() => Int)
  size!: number;

  @Field({ description: 'SHA-256 of the content, hex.' })
  sha256!: string;

  @Field(() => MessageAuthorEnum)
  uploadedBy!: string;

  @Field()
  uploadedAt!: Date;

  @Field({ description: 'Path to download it with the same bearer token.' })
  downloadPath!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Practice', {
  description:
    'A citizen’s application. Visible to its applicant, the person it is for, and staff of its office.',
})
export class PracticeType {
  @Field(() => ID)
  id!: string;

  @Field()
  typeCode!: string;

  @Field()
  office!: string;

  @Field(() => PracticeStatusEnum)
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

  @Field(() => Date, { nullable: true })
  submittedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  registeredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Reason of the acceptance or rejection.' })
  outcomeReason!: string | null;

  @Field(() => [PracticeActionEnum], { description: 'What the caller may do now.' })
  availableActions!: string[];

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType('PracticeConnection')
export class PracticeConnectionType {
  @Field(() => [PracticeType])
  nodes!: PracticeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('PracticeStatusCount')
export class PracticeStatusCountType {
  @Field(() => PracticeStatusEnum)
  status!: string;

  @Field(() => Int)
  count!: number;
}

@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen', { description: 'A citizen (owned by identity); practices adds their applications.' })
export class CitizenType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;
}
