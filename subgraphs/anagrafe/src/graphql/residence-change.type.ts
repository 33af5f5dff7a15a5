import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { ResidenceChangeStatusEnum } from './enums.js';
import { AddressType } from './resident.type.js';

@ObjectType('ResidenceChangeStep')
export class ResidenceChangeStepType {
  @Field(() => ResidenceChangeStatusEnum, { nullable: true })
  from!: string | null;

  @Field(() => ResidenceChangeStatusEnum)
  to!: string;

  @Field()
  at!: Date;

  @Field(() => String, { nullable: true })
  note!: string | null;
}

@ObjectType('ResidenceChangeMover')
export class ResidenceChangeMoverType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;

  @Field(() => AddressType, {
    description: 'The address before the move, restored if the declaration is rejected.',
  })
  previousAddress!: AddressType;
}

@ObjectType('ResidenceChange', { description: 'A change-of-residence declaration within the comune.' })
export class ResidenceChangeType {
  @Field(() => ID)
  id!: string;

  @Field(() => GraphQLFiscalCode)
  applicantFiscalCode!: string;

  @Field(() => [ResidenceChangeMoverType])
  movers!: ResidenceChangeMoverType[];

  @Field(() => AddressType)
  address!: AddressType;

  @Field(() => ResidenceChangeStatusEnum)
  status!: string;

  @Field(() => GraphQLLocalDate, { description: 'The change takes effect from this day once registered.' })
  declaredOn!: string;

  @Field(() => GraphQLLocalDate, { nullable: true })
  registeredOn!: string | null;

  @Field(() => GraphQLLocalDate, { nullable: true })
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

  @Field(() => GraphQLLocalDate, { nullable: true })
  decidedOn!: string | null;

  @Field(() => [ResidenceChangeStepType])
  history!: ResidenceChangeStepType[];
}
