import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OfficeEnum } from './enums.js';

@ObjectType('AuditEntry', {
  description: 'A staff read of a citizen’s personal data, in identity or in any other service.',
})
export class AuditEntryType {
  @Field(() => ID)
  id!: string;

  @Field()
  at!: Date;

  @Field()
  actorUsername!: string;

  @Field(() => [OfficeEnum])
  actorOffices!: string[];

  @Field(() => GraphQLFiscalCode)
  subject!: string;

  @Field(() => [String], {
    description:
      'What was read: in identity the field groups (profile, contacts, preferences, delegations), elsewhere the resources (Citizen.residence, PaymentPosition:…).',
  })
  fields!: string[];

  @Field(() => String, { nullable: true })
  operation!: string | null;

  @Field({ description: 'The service that answered the read: identity, anagrafe, tributi, practices…' })
  service!: string;

  @Field({ description: 'What was done: read, search, issue-certificate…' })
  action!: string;
}

@ObjectType('AuditLogPage')
export class AuditLogPageType {
  @Field(() => [AuditEntryType])
  items!: AuditEntryType[];

  @Field(() => Int)
  totalCount!: number;

  @Field(() => Int, { nullable: true, description: 'Offset of the next page, null on the last one.' })
  nextOffset!: number | null;
}
