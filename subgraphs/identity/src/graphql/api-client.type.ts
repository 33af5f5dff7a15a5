import { connectionType } from '@sportello/platform';
import { Field, Int, ObjectType } from 'type-graphql';
import { ScopeEnum } from './enums.js';

@ObjectType('ApiClient', { description: 'An application registered to use the Sportello API.' })
export class ApiClientType {
  @Field({ description: 'OAuth client id the application signs in with.' })
  clientId!: string;

  @Field({ description: 'Name shown to citizens on the consent screen.' })
  name!: string;

  @Field(() => [ScopeEnum], { description: 'Scopes the application may ask citizens for.' })
  scopes!: string[];

  @Field(() => [String], {
    description: 'Redirect URIs accepted at the end of the OAuth authorisation flow.',
  })
  redirectUris!: string[];

  @Field(() => Int, { description: 'Requests per minute the gateway lets through for this client.' })
  rateLimitPerMinute!: number;

  @Field({ description: 'The comune’s own app: gets citizen tokens without a consent step.' })
  firstParty!: boolean;

  @Field({ description: 'Whether the client authenticates with a secret (false for PKCE-only public apps).' })
  confidential!: boolean;

  @Field({ description: 'When the client was registered.' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the client was revoked (its tokens no longer work); null while active.',
  })
  revokedAt!: Date | null;
}

@ObjectType('ApiClientRegistration', { description: 'The outcome of registering an API client.' })
export class ApiClientRegistrationType {
  @Field(() => ApiClientType, { description: 'The registered client.' })
  client!: ApiClientType;

  @Field(() => String, {
    nullable: true,
    description: 'The client secret, shown this once and never again (null for public clients).',
  })
  clientSecret!: string | null;
}

export const ApiClientConnectionType = connectionType(ApiClientType, 'ApiClient', 'API clients');
