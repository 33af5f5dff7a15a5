import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createTokenVerifier, type TokenVerifier } from '@sportello/platform';
import { createTestIssuer, type TestIssuer } from '@sportello/test-support';
import { GraphQLError, parse } from 'graphql';
import { composeSupergraph } from '../composition/compose-supergraph.js';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

export const ACCOUNTS_SDL = `${LINK}
type Query {
  me: Account
  accounts(first: Int): [Account!]!
  seenAuthorization: String
  seenTraceparent: String
  boom: String
  forbidden: String
  "For staff: UNAUTHENTICATED without a token, FORBIDDEN with one."
  staffQueue: [String!]!
  "The same, nullable: a refusal nulls only itself."
  staffNote: String
  "Answers \`gate\` once the test opens that gate (\`FixtureTopology.gates\`)."
  held(gate: String!): String
  """
  An alert; one whose id starts with \`refused-\` is FORBIDDEN, one whose id starts with \`held-\`
  waits at the gate of that id.
  """
  alert(id: ID!): Alert
  """The same, non-null: an unknown alert fails the whole answer."""
  requiredAlert(id: ID!): Alert!
}
type Mutation {
  recolour(id: ID!, colour: String!): Alert
}
type Subscription {
  alertIssued(zone: String): Alert
}
type Alert @key(fields: "id") {
  id: ID!
  colour: String!
  seenBy: String
  """Refused to everyone: a field error in an otherwise good answer."""
  restricted: String
}
type Account @key(fields: "id") {
  id: ID!
  name: String!
  friends(first: Int): [Account!]!
}`;

export const REVIEWS_SDL = `${LINK}
type Query { latestReview: Review }
type Review { body: String! }
type Account @key(fields: "id") { id: ID! reviews: [Review!]! }
type Alert @key(fields: "id") { id: ID! acknowledgements: Int! }`;

interface SubgraphContext {
  authorization?: string;
  traceparent?: string;
}

const account = (id: string) => ({ id, name: `Account ${id}` });

function staffOnly(context: SubgraphContext): never {
  if (!context.authorization) {
    throw new GraphQLError('Sign in to do this: send a bearer access token.', {
      extensions: { code: 'UNAUTHENTICATED', reason: 'AUTHENTICATION_REQUIRED' },
    });
  }
  throw new GraphQLError('Only staff can do this.', { extensions: { code: 'FORBIDDEN' } });
}

/** One fixture subgraph on a loopback port, counting the requests it receives. */
export interface FixtureSubgraph {
  name: string;
  url: string;
  requests: number;
  stop(): Promise<void>;
}

async function startSubgraph(
  name: string,
  sdl: string,
  resolvers: Record<string, Record<string, unknown>>,
): Promise<FixtureSubgraph> {
  const server = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]),
    includeStacktraceInErrorResponses: true,
  });
  const fixture: FixtureSubgraph = { name, url: '', requests: 0, stop: () => server.stop() };
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      fixture.requests += 1;
      return {
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(typeof req.headers.traceparent === 'string' ? { traceparent: req.headers.traceparent } : {}),
      };
    },
  });
  fixture.url = url;
  return fixture;
}

/** Two subgraphs (accounts, reviews) sharing the `Account` entity, and their supergraph. */
export interface FixtureTopology {
  /**
   * Alerts the accounts subgraph knows, by id; one whose id starts with `held-` is loaded once the
   * test opens the gate of that id, one whose id starts with `refused-` is FORBIDDEN.
   */
  alerts: Map<string, { id: string; colour: string }>;
  /**
   * The `held(gate)` fields and `held-` alerts waiting, by gate: the test sees which arrived and
   * opens them. `close()` opens them all.
   */
  gates: Gates;
  accounts: FixtureSubgraph;
  reviews: FixtureSubgraph;
  supergraphSdl: string;
  subgraphUrls: Record<string, string>;
  close(): Promise<void>;
}

/** Requests held by the fixture until the test lets them answer. */
export interface Gates {
  /** Resolves once a `held(gate)` request is waiting at `gate`. */
  arrived(gate: string): Promise<void>;
  /** Lets every request waiting at `gate`, and any later one, answer. */
  open(gate: string): void;
}

interface Signal {
  promise: Promise<void>;
  resolve(): void;
}

function signal(): Signal {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

function createGates(): Gates & { pass(gate: string): Promise<string>; openAll(): void } {
  const gates = new Map<string, { arrived: Signal; opened: Signal }>();
  const gate = (name: string) => {
    let known = gates.get(name);
    if (known === undefined) {
      known = { arrived: signal(), opened: signal() };
      gates.set(name, known);
    }
    return known;
  };
  return {
    arrived: (name) => gate(name).arrived.promise,
    open: (name) => gate(name).opened.resolve(),
    openAll: () => {
      for (const { opened } of gates.values()) opened.resolve();
    },
    async pass(name) {
      const { arrived, opened } = gate(name);
      arrived.resolve();
      await opened.promise;
      return name;
    },
  };
}

export async function startFixtureTopology(): Promise<FixtureTopology> {
  const alerts = new Map<string, { id: string; colour: string }>();
  const gates = createGates();
  const accounts = await startSubgraph('accounts', ACCOUNTS_SDL, {
    Query: {
      me: () => account('1'),
      accounts: (_: unknown, args: { first?: number }) =>
        Array.from({ length: Math.min(args.first ?? 3, 50) }, (_v, i) => account(String(i + 1))),
      seenAuthorization: (_: unknown, _args: unknown, context: SubgraphContext) =>
        context.authorization ?? null,
      seenTraceparent: (_: unknown, _args: unknown, context: SubgraphContext) => context.traceparent ?? null,
      boom: () => {
        throw new Error('connection to postgres://admin:hunter2@db.internal failed');
      },
      forbidden: () => {
        throw new GraphQLError('Only the anagrafe office may read this', {
          extensions: { code: 'FORBIDDEN' },
        });
      },
      staffQueue: (_: unknown, _args: unknown, context: SubgraphContext) => staffOnly(context),
      staffNote: (_: unknown, _args: unknown, context: SubgraphContext) => staffOnly(context),
      held: (_: unknown, args: { gate: string }) => gates.pass(args.gate),
      alert: async (_: unknown, args: { id: string }) => {
        if (args.id.startsWith('held-')) await gates.pass(args.id);
        if (args.id.startsWith('refused-')) {
          throw new GraphQLError('Only the civil protection office may read this alert', {
            extensions: { code: 'FORBIDDEN' },
          });
        }
        return alerts.get(args.id) ?? null;
      },
      requiredAlert: (_: unknown, args: { id: string }) => {
        const alert = alerts.get(args.id);
        if (!alert) throw new GraphQLError(`No alert ${args.id}`, { extensions: { code: 'NOT_FOUND' } });
        return alert;
      },
    },
    Mutation: {
      recolour: (_: unknown, args: { id: string; colour: string }) => {
        const alert = { id: args.id, colour: args.colour };
        alerts.set(args.id, alert);
        return alert;
      },
    },
    Alert: {
      __resolveReference: (ref: { id: string }) => alerts.get(ref.id) ?? null,
      seenBy: (_: unknown, _args: unknown, context: SubgraphContext) =>
        context.authorization ? 'token holder' : 'anonymous',
      restricted: () => {
        throw new GraphQLError('Only the civil protection office may read this', {
          extensions: { code: 'FORBIDDEN' },
        });
      },
    },
    Account: {
      __resolveReference: (ref: { id: string }) => account(ref.id),
      friends: (parent: { id: string }) => [account(`${parent.id}-friend`)],
    },
  });
  const reviews = await startSubgraph('reviews', REVIEWS_SDL, {
    Query: { latestReview: () => ({ body: 'Great service' }) },
    Account: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      reviews: (parent: { id: string }) => [{ body: `Review by ${parent.id}` }],
    },
    Alert: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      acknowledgements: (parent: { id: string }) => parent.id.length,
    },
  });
  const { supergraphSdl } = composeSupergraph([
    { name: 'accounts', sdl: ACCOUNTS_SDL },
    { name: 'reviews', sdl: REVIEWS_SDL },
  ]);
  return {
    alerts,
    gates: { arrived: gates.arrived, open: gates.open },
    accounts,
    reviews,
    supergraphSdl,
    subgraphUrls: { accounts: accounts.url, reviews: reviews.url },
    async close() {
      // A request left waiting (one a test abandoned at a deadline) would hold its server open.
      gates.openAll();
      await Promise.allSettled([accounts.stop(), reviews.stop()]);
    },
  };
}

/** Log lines captured from the gateway, as the structured logger would write them. */
export function captureLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message?: string }> = [];
  const at = (level: string) => (fields: object, message?: string) => {
    lines.push({
      level,
      fields: fields as Record<string, unknown>,
      ...(message === undefined ? {} : { message }),
    });
  };
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

/** What a gateway test starts from: the fixture subgraphs, a test issuer of API tokens, and their verifier. */
export interface FixtureWorld {
  topology: FixtureTopology;
  issuer: TestIssuer;
  verifier: TokenVerifier;
}

/** Starts the fixture subgraphs and a test issuer for the gateway's audience, with a verifier of its tokens. */
export async function startFixtureWorld(): Promise<FixtureWorld> {
  const [topology, issuer] = await Promise.all([
    startFixtureTopology(),
    createTestIssuer({ issuer: 'https://identity.sportello.test', audience: 'sportello-api' }),
  ]);
  const verifier = createTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: issuer.jwks,
  });
  return { topology, issuer, verifier };
}
