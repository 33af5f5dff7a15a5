import { Field, Int, ObjectType } from 'type-graphql';
import { ScopeEnum } from './enums.js';

@ObjectType('ApiClient', { description: 'An application registered to use the Sportello API.' })
export class ApiClientType {
  @Field()
  clientId!: string;

  @Field()
  name!: string;

  @Field(() => [ScopeEnum])
  scopes!: string[];

  @Field(() => [String])
  redirectUris!: string[];

  @Field(() => Int, { description: 'Requests per minute the gateway lets through for this client.' })
  rateLimitPerMinute!: number;

  @Field({ description: 'The comune’s own app: gets citizen tokens without a consent step.' })
  firstParty!: boolean;

  @Field({ description: 'Whether the client authenticates with a secret (false for PKCE-only public apps).' })
  confidential!: boolean;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('ApiClientRegistration')
export class ApiClientRegistrationType {
  @Field(() => ApiClientType)
  client!: ApiClientType;

  @Field(() => String, {
    nullable: true,
    description: 'The client secret, shown this once and never again (null for public clients).',
  })
  clientSecret!: string | null;
}
