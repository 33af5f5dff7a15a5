import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, InputType, Int } from 'type-graphql';
import { DelegationKindEnum, NotificationCategoryEnum, NotificationChannelEnum, ScopeEnum } from './enums.js';

@InputType('PreferenceChangeInput')
export class PreferenceChangeInput {
  @Field(() => NotificationCategoryEnum)
  category!: string;

  @Field(() => NotificationChannelEnum)
  channel!: string;

  @Field()
  enabled!: boolean;
}

@InputType('CreateDelegationInput')
export class CreateDelegationInput {
  @Field(() => GraphQLFiscalCode, { description: 'Who is represented.' })
  delegator!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Who acts for the delegator.' })
  delegate!: string;

  @Field(() => DelegationKindEnum)
  kind!: string;

  @Field(() => Date, { nullable: true, description: 'Defaults to now.' })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Null for no end.' })
  validUntil?: Date | null;
}

@InputType('RegisterApiClientInput')
export class RegisterApiClientInput {
  @Field()
  name!: string;

  @Field(() => [ScopeEnum])
  scopes!: string[];

  @Field(() => [String], { defaultValue: [] })
  redirectUris!: string[];

  @Field(() => Int, { defaultValue: 600 })
  rateLimitPerMinute!: number;

  @Field({ defaultValue: true, description: 'False for browser or mobile apps that cannot keep a secret.' })
  confidential!: boolean;

  @Field({ defaultValue: false })
  firstParty!: boolean;
}

@InputType('AuditLogFilter')
export class AuditLogFilterInput {
  @Field(() => String, { nullable: true })
  actorUsername?: string | null;

  @Field(() => GraphQLFiscalCode, { nullable: true })
  subject?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only reads answered by this service (identity, anagrafe…).',
  })
  service?: string | null;

  @Field(() => Date, { nullable: true })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;
}

@InputType('PageInput')
export class PageInput {
  @Field(() => Int, { defaultValue: 0 })
  offset!: number;

  @Field(() => Int, { defaultValue: 50, description: 'At most 200.' })
  limit!: number;
}
