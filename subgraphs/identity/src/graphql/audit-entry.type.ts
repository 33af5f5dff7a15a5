import { connectionType } from '@sportello/platform';
import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, ID, ObjectType } from 'type-graphql';
import { OfficeEnum } from './enums.js';

@ObjectType('AuditEntry', {
  description: 'A staff read of a citizen’s personal data, in identity or in any other service.',
})
export class AuditEntryType {
  @Field(() => ID, { description: 'Identifier of the audit entry.' })
  id!: string;

  @Field({ description: 'When the read happened.' })
  at!: Date;

  @Field({ description: 'Username of the staff member who read the data.' })
  actorUsername!: string;

  @Field(() => [OfficeEnum], { description: 'Offices the staff member belonged to at the time of the read.' })
  actorOffices!: string[];

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the citizen whose data was read.' })
  subject!: string;

  @Field(() => [String], {
    description:
      'What was read: in identity the field groups (profile, contacts, preferences, delegations), elsewhere the resources (Citizen.residence, PaymentPosition:…).',
  })
  fields!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Name of the GraphQL operation that read the data; null when the client sent none.',
  })
  operation!: string | null;

  @Field({ description: 'The service that answered the read: identity, anagrafe, tributi, practices…' })
  service!: string;

  @Field({ description: 'What was done: read, search, issue-certificate…' })
  action!: string;
}

export const AuditEntryConnectionType = connectionType(AuditEntryType, 'AuditEntry', 'audit entries');
