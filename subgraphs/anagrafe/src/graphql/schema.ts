import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { federateSchema } from '@sportello/platform';
import { buildSchema } from 'type-graphql';
import { CertificateResolver } from './certificate.resolver.js';
import { CitizenResolver, resolveCitizenReference } from './citizen.resolver.js';
import { CitizenType } from './citizen.type.js';
import { RegistryResolver } from './registry.resolver.js';
import { ResidenceChangeResolver } from './residence-change.resolver.js';
import { ANAGRAFE_MUTATION_SCOPES } from './mutation-scopes.js';

/** Builds the anagrafe federation subgraph schema (`_service`, `_entities` included). */
export async function buildAnagrafeSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [CitizenResolver, RegistryResolver, CertificateResolver, ResidenceChangeResolver],
    // Citizen is reached only through `_entities` (identity owns the root fields that return it).
    orphanedTypes: [CitizenType],
    validate: false,
  });
  return federateSchema(schema, {
    imports: ['@key'],
    mutationScopes: ANAGRAFE_MUTATION_SCOPES,
    references: {
      Citizen: resolveCitizenReference,
    },
  });
}
