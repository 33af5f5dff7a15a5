import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DocumentKindEnum } from './enums.js';

@ObjectType('IdentityDocument')
export class IdentityDocumentType {
  @Field(() => ID)
  id!: string;

  @Field(() => DocumentKindEnum)
  kind!: string;

  @Field()
  number!: string;

  @Field(() => GraphQLLocalDate)
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

  @Field()
  renewalOpen!: boolean;

  @Field({ description: 'A newer document replaced this one.' })
  replaced!: boolean;
}
