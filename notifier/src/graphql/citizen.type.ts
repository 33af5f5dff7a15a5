import { GraphQLFiscalCode } from '@sportello/schema';
import { Directive, Field, ObjectType } from 'type-graphql';

/** The citizen (owned by identity), extended with the messages the notifier sent them. */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen')
export class CitizenType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;
}
