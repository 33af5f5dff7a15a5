import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DocumentKindEnum } from './enums.js';

@ObjectType('IdentityDocument', {
  description: 'An identity document (CIE or paper card) issued to a resident, with its validity today.',
})
export class IdentityDocumentType {
  @Field(() => ID, { description: 'Identifier of the document record.' })
  id!: string;

  @Field(() => DocumentKindEnum, { description: 'CIE or paper card.' })
  kind!: string;

  @Field({ description: 'Document number as printed.' })
  number!: string;

  @Field(() => GraphQLLocalDate, { description: 'Day of issue, `YYYY-MM-DD`.' })
  issuedOn!: string;

  @Field(() => GraphQLLocalDate, { description: 'The expiry date printed on the document.' })
  printedExpiresOn!: string;

  @Field(() => GraphQLLocalDate, {
    description: 'Last valid day: the printed date, or 2026-08-03 for paper cards showing a later one.',
  })
  expiresOn!: string;

  @Field({ description: 'Valid today.' })
  valid!: boolean;

  @Field(() => Int, { description: 'Days left until expiresOn (negative once expired).' })
  daysLeft!: number;

  @Field(() => GraphQLLocalDate, {
    description: 'First day a renewal can be requested (180 days before expiry).',
  })
  renewableFrom!: string;

  @Field({ description: 'True when a renewal can be requested today.' })
  renewalOpen!: boolean;

  @Field({ description: 'A newer document replaced this one.' })
  replaced!: boolean;
}
