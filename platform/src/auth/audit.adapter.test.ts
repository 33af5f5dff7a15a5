import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createEvent, parseEvent, type EventEnvelope, type EventOf } from '@sportello/schema';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '../bus/in-process-bus.js';
import type { EventBus } from '../bus/event-bus.js';
import type { EntityManager } from '../database/database.js';
import {
  DATABASE_DRIVERS,
  createTestDatabase,
  type TestDatabase,
  createTestIssuer,
  type TestIssuer,
} from '@sportello/test-support';
import { createErrorMasking } from '../errors/error-masking.js';
import { createRequestContextFactory, type DatabaseRequestContext } from '../http/request-context.js';
import { createServiceServer, type ServiceServer } from '../http/service-server.js';
import { createLogger } from '../logging/logger.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { OUTBOX_MIGRATIONS } from '../outbox/outbox-migrations.js';
import { createOutboxRelay } from '../outbox/relay.js';
import { recordEvent } from '../outbox/record-event.js';
import {
  auditFlushPlugin,
  authorizePersonalDataRead,
  createOutboxAuditSink,
  type OutboxAuditSink,
} from './audit.js';
import type { TokenPrincipal } from './token-claims.js';
import { createTokenVerifier } from './token-verifier.js';

const ISSUER = 'http://127.0.0.1:4001';
const AUDIENCE = 'sportello-api';
const ROMA = '058091';
const MARIO = 'RSSMRA80A01H501U';
const CHIARA = 'CNTCHR83T41D969D';

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    residents: [Resident!]!
  }

  type Mutation {
    "Reads the resident's address, queues an unrelated event, then fails."
    failAfterReading(fiscalCode: String!): String
  }

  type Resident @key(fields: "fiscalCode") {
    fiscalCode: String!
    address: String
    family: String
  }
`);

const RESIDENTS: Record<string, { address: string; family: string }> = {
  [MARIO]: { address: 'Via dei Fori Imperiali 1', family: 'F-1' },
  [CHIARA]: { address: 'Via Appia 12', family: 'F-2' },
};

type Context = DatabaseRequestContext<EntityManager> & { audit: OutboxAuditSink };

const read = (resource: string) => ({
  office: 'anagrafe' as const,
  scope: 'anagrafe' as const,
  action: 'read',
  resource,
});

const resolvers = {
  Query: {
    residents: () => Object.keys(RESIDENTS).map((fiscalCode) => ({ fiscalCode })),
  },
  Mutation: {
    failAfterReading: async (_: unknown, args: { fiscalCode: string }, ctx: Context) => {
      await authorizePersonalDataRead(ctx, args.fiscalCode, read('Resident.address'));
      // Queued on the request's EntityManager but never flushed by the mutation.
      recordEvent(
        ctx.em,
        createEvent('citizen.registered', {
          comune: ctx.comune,
          subject: args.fiscalCode,
          actor: null,
          data: { citizenId: 'ctz_1', fiscalCode: args.fiscalCode },
        }),
      );
      throw new Error('the registry is unavailable');
    },
  },
  Resident: {
    address: async (resident: { fiscalCode: string }, _: unknown, ctx: Context) => {
      await authorizePersonalDataRead(ctx, resident.fiscalCode, read('Resident.address'));
      return RESIDENTS[resident.fiscalCode]?.address;
    },
    family: async (resident: { fiscalCode: string }, _: unknown, ctx: Context) => {
      await authorizePersonalDataRead(ctx, resident.fiscalCode, read('Resident.family'));
      return RESIDENTS[resident.fiscalCode]?.family;
    },
  },
};

const clerk: TokenPrincipal = {
  kind: 'staff',
  comune: ROMA,
  username: 'anagrafe.bianchi',
  offices: ['anagrafe'],
  tokenId: 'k',
};
const mario: TokenPrincipal = { kind: 'citizen', comune: ROMA, fiscalCode: MARIO, actsFor: [], tokenId: 'c' };

describe.each(DATABASE_DRIVERS)('outbox audit sink on %s', (driver) => {
  let issuer: TestIssuer;
  let testDatabase: TestDatabase;
  let server: ServiceServer;
  let bus: EventBus;
  let url: string;
  const published: EventEnvelope[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
    testDatabase = await createTestDatabase({
      service: 'audit-sink',
      driver,
      entities: [],
      migrations: OUTBOX_MIGRATIONS,
    });
    const { database } = testDatabase;
    const logger = createLogger({ name: 'registry', level: 'silent' });
    bus = createInProcessBus();
    await bus.consume({ name: 'audit-test', subjects: ['sportello.*.platform.>'] }, async (event) => {
      published.push(event);
    });
    const baseContext = createRequestContextFactory({
      verifier: createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks }),
      defaultComune: ROMA,
      logger,
      database,
    });
    const masking = createErrorMasking<Context>(logger);
    server = createServiceServer<Context>({
      name: 'registry',
      apollo: new ApolloServer<Context>({
        schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
        logger,
        formatError: masking.formatError,
        plugins: [masking.plugin, auditFlushPlugin()],
      }),
      logger,
      async context(request) {
        const base = await baseContext(request);
        return { ...base, audit: createOutboxAuditSink('registry', base) };
      },
    });
    url = await server.listen(0);
  });

  afterAll(async () => {
    await server.close();
    await bus.close();
    await testDatabase.dispose();
  });

  async function graphql(query: string, principal: TokenPrincipal) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await issuer.bearer(principal) },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      body: (await response.json()) as {
        data?: Record<string, unknown> | null;
        errors?: { message: string; extensions: { code: string } }[];
      },
    };
  }

  async function auditRows(): Promise<EventOf<'audit.personal-data-read'>[]> {
    const rows = await testDatabase.database
      .forkUnscoped()
      .find(OutboxMessage, { type: 'audit.personal-data-read' }, { orderBy: { createdAt: 'asc' } });
    return rows.map((row) => parseEvent(row.payload) as EventOf<'audit.personal-data-read'>);
  }

  it('stores one event per citizen read, listing what was read, before the answer arrives', async () => {
    const before = (await auditRows()).length;
    const answer = await graphql('{ residents { fiscalCode address family } }', clerk);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.residents).toHaveLength(2);

    // Already in the outbox when the response is read: nothing waited for a later flush.
    const rows = (await auditRows()).slice(before);
    expect(rows.map((event) => event.data.subjectFiscalCode).sort()).toEqual([CHIARA, MARIO].sort());
    const marios = rows.find((event) => event.data.subjectFiscalCode === MARIO);
    expect(marios).toMatchObject({
      type: 'audit.personal-data-read',
      comune: ROMA,
      subject: MARIO,
      actor: { kind: 'staff', id: 'anagrafe.bianchi' },
      data: {
        service: 'registry',
        actorUsername: 'anagrafe.bianchi',
        actorOffices: ['anagrafe'],
        action: 'read',
        requestId: answer.requestId,
      },
    });
    expect(marios?.data.resources.sort()).toEqual(['Resident.address', 'Resident.family']);
  });

  it('does not audit a citizen reading their own data', async () => {
    const before = (await auditRows()).length;
    const answer = await graphql(
      `
        {
          residents {
            fiscalCode
          }
        }
      `,
      mario,
    );
    expect(answer.body.errors).toBeUndefined();
    expect(await auditRows()).toHaveLength(before);
  });

  it('keeps the reads of a failing mutation without committing its unfinished changes', async () => {
    const before = (await auditRows()).length;
    const answer = await graphql(`mutation { failAfterReading(fiscalCode: "${MARIO}") }`, clerk);
    expect(answer.body.errors?.[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const rows = (await auditRows()).slice(before);
    expect(rows.map((event) => [event.data.subjectFiscalCode, event.data.resources])).toEqual([
      [MARIO, ['Resident.address']],
    ]);
    const unfinished = await testDatabase.database
      .forkUnscoped()
      .count(OutboxMessage, { type: 'citizen.registered' });
    expect(unfinished).toBe(0);
  });

  it('reaches the bus through the outbox relay', async () => {
    const relay = createOutboxRelay({
      database: testDatabase.database,
      bus,
      logger: createLogger({ name: 'relay', level: 'silent' }),
    });
    await relay.flush();
    const stored = await auditRows();
    expect(stored.length).toBeGreaterThan(0);
    expect(published.map((event) => event.id).sort()).toEqual(stored.map((event) => event.id).sort());
  });

  it('withholds the data when the audit entry cannot be stored', async () => {
    const em = testDatabase.database.forkUnscoped();
    await em.getConnection().execute('alter table outbox_message rename to outbox_message_away');
    try {
      const answer = await graphql('{ residents { fiscalCode address } }', clerk);
      expect(answer.status).toBe(500);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors).toEqual([
        {
          message: expect.stringContaining('audit log could not record this read'),
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(JSON.stringify(answer.body)).not.toContain('Via');
    } finally {
      await em.getConnection().execute('alter table outbox_message_away rename to outbox_message');
    }
  });
});

describe('createOutboxAuditSink', () => {
  it('refuses a service name that is not a lower-case name', () => {
    const request = { em: undefined as never, requestId: 'r' };
    expect(() => createOutboxAuditSink('Anagrafe Office', request)).toThrow(
      'audit sink: service must be a lower-case service name, got "Anagrafe Office"',
    );
  });
});
