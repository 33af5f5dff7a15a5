import { GraphQLFiscalCode } from '@sportello/schema';
import { Directive, Field, ObjectType } from 'type-graphql';

/**
 * Anagrafe's part of a citizen (the entity identity owns). Every field is personal data and is
 * authorised in its resolver; the key alone reveals nothing.
 */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen')
export class CitizenType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;
}
