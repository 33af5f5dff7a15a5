import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { federateSchema, subscriptionsServedByGateway } from '@sportello/platform';
import { buildSchema } from 'type-graphql';
import { AppointmentResolver } from './appointment.resolver.js';
import { CitizenResolver, resolveCitizenReference } from './citizen.resolver.js';
import { CitizenType } from './practice.type.js';
import { PracticeResolver, resolvePracticeReference } from './practice.resolver.js';
import { PracticeSubscriptionResolver } from './practice-subscription.resolver.js';
import { PracticeTypeResolver } from './practice-type.resolver.js';
import { ReportResolver } from './report.resolver.js';
import { PRACTICES_MUTATION_SCOPES } from './mutation-scopes.js';

/** Builds the practices federation subgraph schema (`_service`, `_entities` included). */
export async function buildPracticesSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      PracticeTypeResolver,
      PracticeResolver,
      PracticeSubscriptionResolver,
      CitizenResolver,
      AppointmentResolver,
      ReportResolver,
    ],
    // Citizen is also reached from Practice.applicant; listing it keeps the printed SDL's order stable.
    orphanedTypes: [CitizenType],
    validate: false,
    // Subscriptions are declared here for the supergraph but served by the gateway from the bus:
    // type-graphql insists on a PubSub, which this subgraph never uses.
    pubSub: subscriptionsServedByGateway('practices'),
  });
  return federateSchema(schema, {
    imports: ['@key', '@shareable'],
    mutationScopes: PRACTICES_MUTATION_SCOPES,
    references: {
      Practice: resolvePracticeReference,
      Citizen: resolveCitizenReference,
    },
  });
}
