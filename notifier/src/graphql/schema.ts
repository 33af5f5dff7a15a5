import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { federateSchema, subscriptionsServedByGateway } from '@sportello/platform';
import { buildSchema } from 'type-graphql';
import { CitizenNotificationsResolver, resolveCitizenReference } from './citizen.resolver.js';
import { CitizenType } from './citizen.type.js';
import { DeliveryStatsResolver } from './delivery-stats.resolver.js';
import { LiveResolver } from './live.resolver.js';
import { NOTIFIER_MUTATION_SCOPES } from './mutation-scopes.js';

/** Builds the notifier federation subgraph schema (`_service`, `_entities` included). */
export async function buildNotifierSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [CitizenNotificationsResolver, DeliveryStatsResolver, LiveResolver],
    // Citizen is reached only through federation (_entities), never from Query.
    orphanedTypes: [CitizenType],
    validate: false,
    // deliveryStatsChanged is served by the gateway from the bus; type-graphql still wants a PubSub.
    pubSub: subscriptionsServedByGateway('the notifier'),
  });
  return federateSchema(schema, {
    imports: ['@key'],
    mutationScopes: NOTIFIER_MUTATION_SCOPES,
    references: {
      Citizen: resolveCitizenReference,
    },
  });
}
