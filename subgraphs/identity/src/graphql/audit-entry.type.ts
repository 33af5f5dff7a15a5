import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OfficeEnum } from './enums.js';

@ObjectType('AuditEntry', { description: 'A staff read of a citizen’s personal data.' })
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

  @Field(() => [String], { description: 'Field groups read: profile, contacts, preferences, delegations.' })
  fields!: string[];

  @Field(() => String, { nullable: true })
  operation!: string | null;
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
