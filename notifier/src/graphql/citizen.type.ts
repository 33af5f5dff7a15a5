import { GraphQLFiscalCode } from '@sportello/schema';
import { Directive, Field, ObjectType } from 'type-graphql';

/** The citizen (owned by identity), extended with the messages the notifier sent them. */
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
