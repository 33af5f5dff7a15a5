import { connectionType } from '@sportello/platform';
import { Field, ObjectType } from 'type-graphql';
import { ScopeEnum } from './enums.js';

@ObjectType('GrantedScope', { description: 'A scope of an app grant, described for the citizen.' })
export class GrantedScopeType {
  @Field(() => ScopeEnum, { description: 'The scope.' })
  scope!: string;

  @Field({ description: 'What the scope lets the app do, in the language asked for.' })
  description!: string;
}

@ObjectType('AppGrant', { description: 'An app the signed-in citizen lets reach their data.' })
export class AppGrantType {
  @Field({ description: 'OAuth client id of the app (the argument of revokeAppGrant).' })
  clientId!: string;

  @Field({ description: 'Name of the app, as registered by the comune.' })
  name!: string;

  @Field(() => [GrantedScopeType], { description: 'What the citizen granted, scope by scope.' })
  scopes!: GrantedScopeType[];

  @Field({ description: 'When the citizen last granted (or extended) the access.' })
  grantedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the app last obtained a token with this grant; null when not known.',
  })
  lastUsedAt!: Date | null;
}

export const AppGrantConnectionType = connectionType(AppGrantType, 'AppGrant', 'app grants');
