import { GraphQLFiscalCode } from '@sportello/schema';
import { Directive, Field, ObjectType } from 'type-graphql';

/**
 * Anagrafe's part of a citizen (the entity identity owns). Every field is personal data and is
 * authorised in its resolver; the key alone reveals nothing.
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
