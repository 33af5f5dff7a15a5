import { GraphQLFiscalCode } from '@sportello/schema';
import { Directive, Field, ObjectType } from 'type-graphql';

/**
 * A citizen, as far as tributi knows them: the key, plus their payment positions (authorised in
 * the field resolver).
 */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen')
export class CitizenType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;
}
