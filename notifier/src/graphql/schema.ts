import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { CitizenNotificationsResolver, resolveCitizenReference } from './citizen.resolver.js';
import { CitizenType } from './citizen.type.js';
import { DeliveryStatsResolver } from './delivery-stats.resolver.js';
import { LiveResolver } from './live.resolver.js';

/** The federation features the notifier subgraph uses. */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

/**
 * Descriptions of the root types, which have no class to carry them. Every subgraph gives the same
 * ones, so the composed schema keeps them without a conflict.
 */
const ROOT_TYPE_DESCRIPTIONS: Record<string, string> = {
  Query:
    'Reads. Each field is answered by the service that owns the data; personal data needs a token allowed to read it.',
  Mutation:
    'Changes. Each field is answered by the service that owns the data, which checks who may make it.',
  Subscription: 'Live updates over graphql-ws on the same /graphql path, fed by the services’ events.',
};

type ResolverMap = Record<string, Record<string, unknown>>;

/** Builds the notifier federation subgraph schema (`_service`, `_entities` included). */
export async function buildNotifierSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [CitizenNotificationsResolver, DeliveryStatsResolver, LiveResolver],
    // Citizen is reached only through federation (_entities), never from Query.
    orphanedTypes: [CitizenType],
    validate: false,
    // deliveryStatsChanged is served by the gateway from the bus; type-graphql still wants a PubSub.
    pubSub: {
      publish() {},
      subscribe() {
        throw new Error('the notifier serves no subscriptions itself: the gateway does, from the bus');
      },
    },
  });
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (root) root.description = ROOT_TYPE_DESCRIPTIONS[root.name] ?? null;
  }
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as ResolverMap;
  resolvers['Citizen'] = { ...resolvers['Citizen'], __resolveReference: resolveCitizenReference };
  // The resolver map mixes scalars, enums and field maps, as buildSubgraphSchema accepts.
  return buildSubgraphSchema([
    { typeDefs, resolvers } as Parameters<typeof buildSubgraphSchema>[0] extends (infer M)[] ? M : never,
  ]);
}
