import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { federateSchema, subscriptionsServedByGateway } from '@sportello/platform';
import { buildSchema } from 'type-graphql';
import { AlertResolver, resolveAlertReference } from './alert.resolver.js';
import { EmergencyAreaResolver, resolveEmergencyAreaReference } from './emergency-area.resolver.js';
import { LiveResolver } from './live.resolver.js';
import { OrdinanceResolver, resolveOrdinanceReference } from './ordinance.resolver.js';
import { CIVIL_PROTECTION_MUTATION_SCOPES } from './mutation-scopes.js';

/** Builds the civil-protection federation subgraph schema (`_service`, `_entities` included). */
export async function buildCivilProtectionSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [AlertResolver, OrdinanceResolver, EmergencyAreaResolver, LiveResolver],
    validate: false,
    // Subscriptions are declared here for the supergraph but served by the gateway from the bus:
    // type-graphql insists on a PubSub, which this subgraph never uses.
    pubSub: subscriptionsServedByGateway('civil-protection'),
  });
  return federateSchema(schema, {
    imports: ['@key'],
    mutationScopes: CIVIL_PROTECTION_MUTATION_SCOPES,
    references: {
      Alert: resolveAlertReference,
      Ordinance: resolveOrdinanceReference,
      EmergencyArea: resolveEmergencyAreaReference,
    },
  });
}
