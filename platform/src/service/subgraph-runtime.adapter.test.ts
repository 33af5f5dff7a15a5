import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createEvent, type EventEnvelope } from '@sportello/schema';
import { parse } from 'graphql';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  createTestIssuer,
  type TestIssuer,
  startPrivateNatsServer,
  metricSample,
} from '@sportello/test-support';
import type { EventBus } from '../bus/event-bus.js';
import { createNatsBus } from '../bus/nats-bus.js';
import { publishOnlyBus } from '../bus/test-support/publish-only-bus.js';
import type { Database, EntityManager } from '../database/database.js';
import { scratchDatabase, testMigrations } from '../database/test-support/databases.js';
import { Note, testEntities } from '../database/test-support/entities.js';
import type { DatabaseRequestContext } from '../http/request-context.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { recordEvent } from '../outbox/record-event.js';
import {
  createSubgraphRuntime,
  openServiceDatabase,
  type SubgraphRuntime,
  type SubgraphRuntimeOptions,
} from './subgraph-runtime.js';

const ISSUER = 'http://127.0.0.1:4001';
const AUDIENCE = 'sportello';
const ROMA = '058091';
const MILANO = '015146';
const logger = pino({ level: 'silent' });

interface NotesContext extends DatabaseRequestContext<EntityManager> {
  origin: string;
}

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    me: Caller!
    notes: [String!]!
  }

  type Mutation {
    addNote(title: String!): String!
  }

  type Caller {
    kind: String!
    comune: String!
    origin: String!
  }
`);

const schema = buildSubgraphSchema([
  {
    typeDefs,
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, ctx: NotesContext) => ({
          kind: ctx.principal.kind,
          comune: ctx.comune,
          origin: ctx.origin,
        }),
        notes: async (_: unknown, __: unknown, ctx: NotesContext) =>
          (await ctx.em.find(Note, {}, { orderBy: { title: 'asc' } })).map((note) => note.title),
      },
      Mutation: {
        addNote: async (_: unknown, args: { title: string }, ctx: NotesContext) => {
          const note = ctx.em.create(Note, { id: randomUUID(), comune: ctx.comune, title: args.title });
          recordEvent(
            ctx.em,
            createEvent('alert.issued', {
              comune: ctx.comune,
              subject: note.id,
              actor: { kind: 'staff', id: 'operator-1' },
              data: {
                alertId: note.id,
                hazard: 'thunderstorms',
                colour: 'yellow',
                zones: ['A'],
                validFrom: '2026-03-01T09:00:00Z',
                validTo: '2026-03-02T09:00:00Z',
                critical: false,
              },
            }),
          );
          await ctx.em.flush();
          return note.id;
        },
      },
    },
  },
]);

/** A bus that keeps what it is given. */
function recordingBus(): { bus: EventBus; published: EventEnvelope[] } {
  const published: EventEnvelope[] = [];
  return {
    published,
    bus: publishOnlyBus(async (event) => {
      published.push(event);
    }),
  };
}

let issuer: TestIssuer;
let dir: string;
let database: Database;
let runtime: SubgraphRuntime<NotesContext> | undefined;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sportello-runtime-'));
  database = await openServiceDatabase({
    service: 'notes',
    config: { driver: 'sqlite', url: join(dir, 'notes.sqlite') },
    entities: testEntities,
    migrations: testMigrations,
    logger,
  });
});

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  await database.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

function notesRuntime(
  overrides: Partial<SubgraphRuntimeOptions<NotesContext>> = {},
): SubgraphRuntime<NotesContext> {
  runtime = createSubgraphRuntime<NotesContext>({
    service: 'notes',
    logger,
    database,
    ownsDatabase: true,
    migrateOnListen: true,
    tokens: { issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks },
    defaultComune: ROMA,
    relayTo: recordingBus().bus,
    schema,
    context: (base, request) => ({ ...base, origin: request.url.origin }),
    ...overrides,
  });
  return runtime;
}

async function graphql(url: string, query: string, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      data?: Record<string, unknown> & { me?: unknown; addNote?: string };
      errors?: { extensions?: { code?: string } }[];
    },
  };
}

describe('subgraph runtime', () => {
  test('listen migrates, serves GraphQL with the caller of the token and answers /health', async () => {
    const url = await notesRuntime().listen(0);

    const token = await issuer.sign({
      kind: 'citizen',
      comune: MILANO,
      fiscalCode: 'RSSMRA80A01H501U',
      actsFor: [],
      tokenId: 't',
    });
    const me = await graphql(url, '{ me { kind comune origin } notes }', token);
    expect(me.body).toEqual({ data: { me: { kind: 'citizen', comune: MILANO, origin: url }, notes: [] } });

    const anonymous = await graphql(url, '{ me { kind comune } }');
    expect(anonymous.body.data?.me).toEqual({ kind: 'anonymous', comune: ROMA });

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
  });

  test('a forged token is refused with 401 UNAUTHENTICATED', async () => {
    const url = await notesRuntime().listen(0);
    const forged = await issuer.badToken('bad-signature', {
      kind: 'citizen',
      comune: ROMA,
      fiscalCode: 'RSSMRA80A01H501U',
      actsFor: [],
      tokenId: 'x',
    });
    const answer = await graphql(url, '{ me { kind } }', forged);
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('an event recorded by a mutation reaches the bus', async () => {
    const { bus, published } = recordingBus();
    const url = await notesRuntime({ relayTo: bus }).listen(0);
    const added = await graphql(url, 'mutation { addNote(title: "Allerta meteo") }');
    const id = added.body.data?.addNote as string;
    await expect.poll(() => published.length, { timeout: 15_000 }).toBe(1);
    expect(published[0]).toMatchObject({ type: 'alert.issued', subject: id, comune: ROMA });
  });

  test('without a relay, events stay in the outbox and flushOutbox publishes none', async () => {
    const url = await notesRuntime({ relayTo: null }).listen(0);
    await graphql(url, 'mutation { addNote(title: "Ordinanza") }');
    expect(await runtime!.flushOutbox()).toBe(0);
    const pending = await database.forkUnscoped().find(OutboxMessage, { publishedAt: null });
    expect(pending).toHaveLength(1);
  });

  test('routes built from the parts get the service context', async () => {
    const url = await notesRuntime({
      routes: ({ context }) => [
        {
          method: 'GET',
          path: '/whoami',
          async handler(request) {
            const ctx = await context(request);
            return { status: 200, json: { kind: ctx.principal.kind, comune: ctx.comune } };
          },
        },
      ],
    }).listen(0);
    const response = await fetch(`${url}/whoami`, { headers: { 'x-comune': MILANO } });
    expect(await response.json()).toEqual({ kind: 'anonymous', comune: MILANO });
  });

  test('workers start after the relay and stop after the server closes, in reverse order', async () => {
    const steps: string[] = [];
    const handle = notesRuntime({
      workers: [
        { start: () => void steps.push('start scheduler'), stop: () => void steps.push('stop scheduler') },
        {
          start: async () => void steps.push('start consumer'),
          stop: async () =>
            void steps.push(
              `stop consumer (server listening: ${String(handle.server.httpServer.listening)})`,
            ),
        },
      ],
    });
    await handle.listen(0);
    await handle.close();
    runtime = undefined;
    expect(steps).toEqual([
      'start scheduler',
      'start consumer',
      'stop consumer (server listening: false)',
      'stop scheduler',
    ]);
  });

  test('a lent database stays open after close; an owned one is closed', async () => {
    const lent = notesRuntime({ ownsDatabase: false });
    await lent.listen(0);
    await lent.close();
    runtime = undefined;
    await expect(database.orm.isConnected()).resolves.toBe(true);
    await expect(database.forkUnscoped().count(OutboxMessage, {})).resolves.toBe(0);

    const owned = notesRuntime({ ownsDatabase: true });
    await owned.listen(0);
    await owned.close();
    runtime = undefined;
    await expect(database.orm.isConnected()).resolves.toBe(false);
  });

  test('nothing is migrated before listen unless asked, and migrate runs once', async () => {
    const handle = notesRuntime({ migrateOnListen: false });
    await expect(database.forkUnscoped().count(Note, {})).rejects.toThrow(/note/i);
    await handle.migrate();
    await handle.migrate();
    await expect(database.forkUnscoped().count(Note, {})).resolves.toBe(0);
  });
});

describe('subgraph runtime on PostgreSQL and NATS JetStream', () => {
  test('/ready fails while its database is cut or NATS is down and recovers; /metrics shows the outbox and requests', async () => {
    const scratch = await scratchDatabase('postgresql', testEntities, testMigrations);
    const admin = await scratchDatabase('postgresql', testEntities, testMigrations);
    const nats = await startPrivateNatsServer();
    const adminDb = await admin.open();
    const name = scratch.postgresDatabase!;
    const sql = (statement: string) => adminDb.forkUnscoped().getConnection().execute(statement);
    try {
      const bus = await createNatsBus({ servers: nats.url, stream: 'READINESS', subjectRoot: 'sportello' });
      const own = createSubgraphRuntime<NotesContext>({
        service: 'notes',
        logger,
        database: await scratch.open(),
        ownsDatabase: false,
        migrateOnListen: true,
        tokens: { issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks },
        defaultComune: ROMA,
        relayTo: bus,
        schema,
        context: (base, request) => ({ ...base, origin: request.url.origin }),
      });
      const url = await own.listen(0);
      const ready = async () => {
        const response = await fetch(`${url}/ready`);
        return {
          status: response.status,
          body: (await response.json()) as { checks: Record<string, string> },
        };
      };
      try {
        expect(await ready()).toEqual({
          status: 200,
          body: { status: 'ready', service: 'notes', checks: { database: 'ok', bus: 'ok' } },
        });
        await graphql(url, 'mutation { addNote(title: "Allerta") }');
        const metrics = async () => (await fetch(`${url}/metrics`)).text();
        const critical = { lane: 'critical', service: 'notes' };
        await expect
          .poll(async () => metricSample(await metrics(), 'sportello_outbox_published_total', critical))
          .toBe(1);
        const text = await metrics();
        expect(metricSample(text, 'sportello_outbox_pending', critical)).toBe(0);
        expect(metricSample(text, 'sportello_outbox_relay_lag_seconds_count', critical)).toBe(1);
        expect(
          metricSample(text, 'sportello_http_request_duration_seconds_count', {
            route: '/graphql',
            status: '200',
          }),
        ).toBe(1);

        // The database cut: no new connections, the open ones ended.
        await sql(`alter database "${name}" with allow_connections false`);
        await sql(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
        await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(503);
        expect((await ready()).body.checks['bus']).toBe('ok');
        expect((await ready()).body.checks['database']).not.toBe('ok');
        await sql(`alter database "${name}" with allow_connections true`);
        await expect.poll(async () => (await ready()).status, { timeout: 15_000 }).toBe(200);

        // NATS down.
        await nats.stop();
        await expect
          .poll(async () => (await ready()).body.checks['bus'], { timeout: 10_000 })
          .toMatch(/NATS/);
        expect((await ready()).status).toBe(503);
        nats.start();
        await expect.poll(async () => (await ready()).status, { timeout: 20_000 }).toBe(200);
      } finally {
        await own.close();
        await bus.close();
      }
    } finally {
      await sql(`alter database "${name}" with allow_connections true`).catch(() => undefined);
      await nats.dispose();
      await scratch.dispose();
      await admin.dispose();
    }
  });
});
