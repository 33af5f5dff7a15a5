import { GraphQLFiscalCode } from '@sportello/schema';
import { Directive, Field, ObjectType } from 'type-graphql';

/**
 * A citizen, as far as tributi knows them: the key, plus their payment positions (authorised in
 * the field resolver).
 */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen', {
  description: 'A citizen with a Sportello account. Personal fields are authorised one by one.',
})
export class CitizenType {
  @Field(() => GraphQLFiscalCode, {
    description:
      'The citizen’s codice fiscale (16 characters, upper case): the key every service uses for the citizen.',
  })
  fiscalCode!: string;
}
