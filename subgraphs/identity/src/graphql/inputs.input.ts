import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, InputType, Int } from 'type-graphql';
import {
  DelegationKindEnum,
  NotificationCategoryEnum,
  NotificationChannelEnum,
  OfficeEnum,
  ScopeEnum,
} from './enums.js';

@InputType('PreferenceChangeInput', {
  description: 'Turns one notification category on or off on one channel.',
})
export class PreferenceChangeInput {
  @Field(() => NotificationCategoryEnum, { description: 'The category to change.' })
  category!: string;

  @Field(() => NotificationChannelEnum, { description: 'The channel to change.' })
  channel!: string;

  @Field({ description: 'True to receive notifications of this category on this channel.' })
  enabled!: boolean;
}

@InputType('CreateDelegationInput', { description: 'A delegation to record.' })
export class CreateDelegationInput {
  @Field(() => GraphQLFiscalCode, { description: 'Who is represented.' })
  delegator!: string;

  @Field(() => GraphQLFiscalCode, { description: 'Who acts for the delegator.' })
  delegate!: string;

  @Field(() => DelegationKindEnum, { description: 'Why the delegate may act for the delegator.' })
  kind!: string;

  @Field(() => Date, { nullable: true, description: 'Defaults to now.' })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Null for no end.' })
  validUntil?: Date | null;
}

@InputType('RegisterApiClientInput', { description: 'An application to register for the Sportello API.' })
export class RegisterApiClientInput {
  @Field({ description: 'Name shown to citizens on the consent screen.' })
  name!: string;

  @Field(() => [ScopeEnum], { description: 'Scopes the application may ask citizens for.' })
  scopes!: string[];

  @Field(() => [String], {
    defaultValue: [],
    description:
      'Redirect URIs accepted at the end of the OAuth authorisation flow (https, or http on loopback).',
  })
  redirectUris!: string[];

  @Field(() => Int, {
    defaultValue: 600,
    description: 'Requests per minute the gateway lets through for this client.',
  })
  rateLimitPerMinute!: number;

  @Field({ defaultValue: true, description: 'False for browser or mobile apps that cannot keep a secret.' })
  confidential!: boolean;

  @Field({
    defaultValue: false,
    description: 'True for the comune’s own app, which gets citizen tokens without a consent step.',
  })
  firstParty!: boolean;
}

@InputType('AuditLogFilter', { description: 'Narrows the audit log; every field set must match.' })
export class AuditLogFilterInput {
  @Field(() => String, { nullable: true, description: 'Only reads by this staff member.' })
  actorUsername?: string | null;

  @Field(() => GraphQLFiscalCode, { nullable: true, description: 'Only reads of this citizen’s data.' })
  subject?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only reads answered by this service (identity, anagrafe…).',
  })
  service?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only reads at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only reads before this instant.' })
  to?: Date | null;
}

@InputType('AddStaffMemberInput', { description: 'A comune employee to add as staff.' })
export class AddStaffMemberInput {
  @Field({ description: 'Username, as the comune’s own sign-in provider names the person.' })
  username!: string;

  @Field({ description: 'Name shown to colleagues.' })
  displayName!: string;

  @Field(() => [OfficeEnum], { description: 'Offices the member works in.' })
  offices!: string[];
}
