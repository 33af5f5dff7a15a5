import { GraphQLJSONObject } from 'graphql-scalars';
import { connectionType } from '@sportello/platform';
import { Field, Int, ObjectType } from 'type-graphql';
import { FeeRequestedOnEnum } from './enums.js';

@ObjectType('RequiredAttachment', { description: 'A document the applicant adds to the practice.' })
export class RequiredAttachmentType {
  @Field({ description: 'Code to give as `kind` when uploading it.' })
  code!: string;

  @Field({ description: 'What the document is, as shown to the applicant.' })
  label!: string;

  @Field({ description: 'Submission is refused while it is missing.' })
  required!: boolean;
}

@ObjectType('PracticeFee', { description: 'What filing a practice of this type costs.' })
export class PracticeFeeType {
  @Field(() => Int, { description: 'Euro cents.' })
  amountCents!: number;

  @Field({ description: 'Paid through a pagoPA payment position in tributi (else a revenue stamp).' })
  viaTributi!: boolean;

  @Field(() => FeeRequestedOnEnum, {
    description: 'When a pagoPA fee is asked for: on submission, or at the citizen’s request before it.',
  })
  requestedOn!: string;
}

@ObjectType('PracticeType', { description: 'A kind of practice the comune accepts. Public.' })
export class PracticeTypeType {
  @Field({ description: 'Code of the type; give it as typeCode to createPracticeDraft.' })
  code!: string;

  @Field({ description: 'Title shown to citizens.' })
  title!: string;

  @Field({ description: 'The office that handles it (practices, suap, anagrafe, tributi...).' })
  office!: string;

  @Field({ description: 'What the practice is for and who may file it.' })
  description!: string;

  @Field(() => GraphQLJSONObject, { description: 'JSON Schema (2020-12) of the form data.' })
  formSchema!: Record<string, unknown>;

  @Field(() => [RequiredAttachmentType], { description: 'Documents to add to the practice.' })
  requiredAttachments!: RequiredAttachmentType[];

  @Field(() => PracticeFeeType, { nullable: true, description: 'Null when free.' })
  fee!: PracticeFeeType | null;

  @Field(() => Int, { description: 'Days the office normally takes to decide.' })
  expectedDurationDays!: number;
}

export const PracticeTypeConnectionType = connectionType(PracticeTypeType, 'PracticeType', 'practice types');
