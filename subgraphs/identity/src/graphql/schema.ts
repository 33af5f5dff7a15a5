import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { AccountResolver } from './account.resolver.js';
import { AdminResolver } from './admin.resolver.js';
import { CitizenResolver, resolveCitizenReference } from './citizen.resolver.js';

/** The federation features the identity subgraph uses. */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

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

/** The subgraph SDL and resolvers, built from the type-graphql classes. */
async function subgraphModule() {
  const schema = await buildSchema({
    resolvers: [CitizenResolver, AccountResolver, AdminResolver],
    validate: false,
  });
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (root) root.description = ROOT_TYPE_DESCRIPTIONS[root.name] ?? null;
  }
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  resolvers.Citizen = { ...resolvers.Citizen, __resolveReference: resolveCitizenReference };
  return { typeDefs, resolvers };
}

/** Builds the identity federation subgraph schema (`_service`, `_entities` included). */
export async function buildIdentitySchema(): Promise<GraphQLSchema> {
  const module = await subgraphModule();
  // The resolver map mixes scalars, enums and field maps, as buildSubgraphSchema accepts.
  return buildSubgraphSchema([
    module as Parameters<typeof buildSubgraphSchema>[0] extends (infer M)[] ? M : never,
  ]);
}
