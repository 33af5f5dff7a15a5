import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, ID, ObjectType } from 'type-graphql';
import { DelegationKindEnum } from './enums.js';

@ObjectType('Delegation', {
  description: 'The delegate may act for the delegator inside the validity window.',
})
export class DelegationType {
  @Field(() => ID)
  id!: string;

  @Field(() => GraphQLFiscalCode)
  delegator!: string;

  @Field(() => GraphQLFiscalCode)
  delegate!: string;

  @Field(() => DelegationKindEnum)
  kind!: string;

  @Field()
  validFrom!: Date;

  @Field(() => Date, { nullable: true })
  validUntil!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field({ description: 'Whether the delegation is in force now.' })
  active!: boolean;
}
