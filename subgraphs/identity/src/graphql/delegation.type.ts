import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, ID, ObjectType } from 'type-graphql';
import { DelegationKindEnum } from './enums.js';

@ObjectType('Delegation', {
  description: 'The delegate may act for the delegator inside the validity window.',
})
export class DelegationType {
  @Field(() => ID, { description: 'Identifier of the delegation.' })
  id!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the person represented.' })
  delegator!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the person who acts for the delegator.' })
  delegate!: string;

  @Field(() => DelegationKindEnum, {
    description: 'Why the delegate may act: parent of a minor child or an adult’s delegation.',
  })
  kind!: string;

  @Field({ description: 'When the delegation starts to apply.' })
  validFrom!: Date;

  @Field(() => Date, { nullable: true, description: 'When the delegation ends; null when it has no end.' })
  validUntil!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the delegation was revoked; null while not revoked.',
  })
  revokedAt!: Date | null;

  @Field({ description: 'Whether the delegation is in force now.' })
  active!: boolean;
}
