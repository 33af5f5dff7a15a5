import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { federateSchema, subscriptionsServedByGateway } from '@sportello/platform';
import { buildSchema } from 'type-graphql';
import { BulkJobResolver } from './bulk-job.resolver.js';
import { CitizenResolver, resolveCitizenReference } from './citizen.resolver.js';
import { CitizenType } from './citizen.type.js';
import { PaymentPositionResolver, resolvePaymentPositionReference } from './payment-position.resolver.js';
import { TRIBUTI_MUTATION_SCOPES } from './mutation-scopes.js';

/** Builds the tributi federation subgraph schema (`_service`, `_entities` included). */
export async function buildTributiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [PaymentPositionResolver, BulkJobResolver, CitizenResolver],
    // Citizen is reachable only through federation (`_entities`), not from Query.
    orphanedTypes: [CitizenType],
    validate: false,
    // Subscriptions are declared here for the supergraph but served by the gateway from the bus:
    // type-graphql insists on a PubSub, which this subgraph never uses.
    pubSub: subscriptionsServedByGateway('tributi'),
  });
  return federateSchema(schema, {
    imports: ['@key'],
    mutationScopes: TRIBUTI_MUTATION_SCOPES,
    references: {
      Citizen: resolveCitizenReference,
      PaymentPosition: resolvePaymentPositionReference,
    },
  });
}
