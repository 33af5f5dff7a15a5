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

/** The subgraph SDL and resolvers, built from the type-graphql classes. */
async function subgraphModule() {
  const schema = await buildSchema({
    resolvers: [CitizenResolver, AccountResolver, AdminResolver],
    validate: false,
  });
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
