import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  auditFlushPlugin,
  authorizePersonalDataRead,
  createLogger,
  createOutboxAuditSink,
  createOutboxRelay,
  createRequestContextFactory,
  createServiceServer,
  createTokenVerifier,
  OUTBOX_MIGRATIONS,
  OutboxMessage,
  type DatabaseRequestContext,
  type EntityManager,
  type EventBus,
  type OutboxAuditSink,
} from '@sportello/platform';
import { createTestDatabase } from '@sportello/test-support';
import type { EventEnvelope } from '@sportello/schema';
import { parse } from 'graphql';

type Context = DatabaseRequestContext<EntityManager> & { audit: OutboxAuditSink };

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    residence(fiscalCode: String!): String
  }
`);

/**
 * A small service holding personal data, wired like any subgraph that audits through the outbox:
 * `createOutboxAuditSink` in the context factory, `auditFlushPlugin` on Apollo, its own outbox relay.
 */
export interface AuditedService {
  /** Reads a residence as the bearer of `token`; resolves with the response's request id. */
  readResidence(fiscalCode: string, token: string): Promise<{ requestId: string; residence: unknown }>;
  /** Publishes the outbox now. */
  publish(): Promise<number>;
  /** The audit events stored in its outbox, oldest first, as they travel on the bus. */
  auditEvents(): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

export async function startAuditedService(options: {
  bus: EventBus;
  identityUrl: string;
  issuer: string;
  audience: string;
  defaultComune: string;
}): Promise<AuditedService> {
  const logger = createLogger({ name: 'registry', level: 'silent' });
  const testDatabase = await createTestDatabase({
    service: 'registry',
    driver: 'sqlite',
    entities: [],
    migrations: OUTBOX_MIGRATIONS,
  });
  const { database } = testDatabase;
  const baseContext = createRequestContextFactory({
    verifier: createTokenVerifier({
      issuer: options.issuer,
      audience: options.audience,
      jwks: new URL(`${options.identityUrl}/.well-known/jwks.json`),
    }),
    defaultComune: options.defaultComune,
    logger,
    database,
  });
  const resolvers = {
    Query: {
      residence: async (_: unknown, args: { fiscalCode: string }, ctx: Context) => {
        await authorizePersonalDataRead(ctx, args.fiscalCode, {
          office: 'anagrafe',
          scope: 'anagrafe',
          action: 'read',
          resource: 'Citizen.residence',
        });
        return 'Via Roma 1';
      },
    },
  };
  const server = createServiceServer<Context>({
    name: 'registry',
    apollo: new ApolloServer<Context>({
      schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
      logger,
      plugins: [auditFlushPlugin()],
    }),
    logger,
    async context(request) {
      const base = await baseContext(request);
      return { ...base, audit: createOutboxAuditSink('registry', base) };
    },
  });
  const relay = createOutboxRelay({ database, bus: options.bus, logger });
  const url = await server.listen(0);

  return {
    async readResidence(fiscalCode, token) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: 'query ($fc: String!) { residence(fiscalCode: $fc) }',
          variables: { fc: fiscalCode },
        }),
      });
      const body = (await response.json()) as { data?: { residence?: unknown }; errors?: unknown[] };
      if (body.errors !== undefined) throw new Error(`registry: ${JSON.stringify(body.errors)}`);
      return { requestId: response.headers.get('x-request-id') ?? '', residence: body.data?.residence };
    },
    publish: () => relay.flush(),
    async auditEvents() {
      const rows = await database
        .forkUnscoped()
        .find(OutboxMessage, { type: 'audit.personal-data-read' }, { orderBy: { createdAt: 'asc' } });
      return rows.map((row) => row.payload);
    },
    async close() {
      await server.close();
      await relay.stop();
      await testDatabase.dispose();
    },
  };
}
