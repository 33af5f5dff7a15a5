import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { createResolversMap, type PubSub } from 'type-graphql';
import { requireMutationScopes, type MutationScopes } from '../auth/access.js';

/**
 * Descriptions of the root types, which have no class to carry them. Every subgraph gives the same
 * ones, so the composed schema keeps them without a conflict.
 */
export const ROOT_TYPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Query:
    'Reads. Each field is answered by the service that owns the data; personal data needs a token allowed to read it.',
  Mutation:
    'Changes. Each field is answered by the service that owns the data, which checks who may make it.',
  Subscription: 'Live updates over graphql-ws on the same /graphql path, fed by the services’ events.',
};

/** Resolves a federation entity reference (`{ __typename, ...key }`) to the entity, or null. */
// The reference's shape is the entity's key, different for every type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReferenceResolver = GraphQLFieldResolver<any, any>;

export interface FederationOptions {
  /** Federation directives the subgraph uses, e.g. `['@key', '@shareable']`. */
  imports: readonly string[];
  /** `__resolveReference` of each entity type the subgraph resolves, by type name. */
  references?: Readonly<Record<string, ReferenceResolver>>;
  /** The write scope an app's token needs for each `Mutation` field (see {@link MutationScopes}). */
  mutationScopes: MutationScopes;
}

/**
 * Turns a schema built with type-graphql into a federation 2 subgraph schema (`_service`,
 * `_entities`): root type descriptions, the `@link` to the federation spec, the printed SDL with its
 * directives, type-graphql's resolvers and the entities' reference resolvers; app tokens are held
 * to `mutationScopes` before any mutation runs.
 *
 * @throws {UnclassifiedMutationError} when a `Mutation` field is not in `mutationScopes`.
 */
export function federateSchema(schema: GraphQLSchema, options: FederationOptions): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (root) root.description = ROOT_TYPE_DESCRIPTIONS[root.name] ?? null;
  }
  const sdl = printSchemaWithDirectives(schema);
  // The platform's shared types (the connections' PageInfo) are @shareable: a subgraph using one
  // imports the directive without having to know it.
  const names = sdl.includes('@shareable')
    ? [...new Set([...options.imports, '@shareable'])]
    : options.imports;
  const imports = names.map((name) => JSON.stringify(name)).join(', ');
  const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${imports}])`;
  const typeDefs = parse(`${link}\n\n${sdl}`);
  const resolvers = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  for (const [type, resolveReference] of Object.entries(options.references ?? {})) {
    resolvers[type] = { ...resolvers[type], __resolveReference: resolveReference };
  }
  // The resolver map mixes scalars, enums and field maps, as buildSubgraphSchema accepts.
  const federated = buildSubgraphSchema([
    { typeDefs, resolvers } as Parameters<typeof buildSubgraphSchema>[0] extends (infer M)[] ? M : never,
  ]);
  return requireMutationScopes(federated, options.mutationScopes);
}

/**
 * The PubSub a subgraph hands type-graphql for `Subscription` fields it declares for the supergraph
 * but never serves: the gateway serves them from the bus.
 */
export function subscriptionsServedByGateway(service: string): PubSub {
  return {
    publish() {},
    subscribe() {
      throw new Error(`${service} serves no subscriptions itself: the gateway does, from the bus`);
    },
  };
}
