import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { federateSchema } from '@sportello/platform';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from './account.resolver.js';
import { AdminResolver } from './admin.resolver.js';
import { AppGrantResolver } from './app-grant.resolver.js';
import { CitizenResolver, resolveCitizenReference } from './citizen.resolver.js';
import { IDENTITY_MUTATION_SCOPES } from './mutation-scopes.js';

/** Builds the identity federation subgraph schema (`_service`, `_entities` included). */
export async function buildIdentitySchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [CitizenResolver, AccountResolver, AdminResolver, AppGrantResolver],
    validate: false,
  });
  return federateSchema(schema, {
    imports: ['@key', '@shareable'],
    mutationScopes: IDENTITY_MUTATION_SCOPES,
    references: { Citizen: resolveCitizenReference },
  });
}
