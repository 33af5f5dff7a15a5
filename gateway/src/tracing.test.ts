import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  createLogger,
  createServiceServer,
  createTokenVerifier,
  type ServiceServer,
  startTracing,
  type Tracing,
} from '@sportello/platform';
import {
  createTestIssuer,
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from '@sportello/test-support';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from './composition/compose-supergraph.js';
import { createGateway, type GatewayHandle } from './gateway.js';
import { ACCOUNTS_SDL, captureLogger, REVIEWS_SDL } from './test-support/fixture-subgraphs.js';

/**
 * One process, one tracer provider, as in the embedded hub: the gateway and two subgraphs served by
 * the platform's service server, exporting to a loopback OTLP/HTTP collector. `sportello.service`
 * tells the services apart.
 */

const FISCAL_CODE = 'RSSMRA80A01H501U';
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

let receiver: OtlpReceiver;
let tracing: Tracing;
let gateway: GatewayHandle;
let subgraphUrls: Record<string, string>;
const servers: ServiceServer[] = [];
const gateways: GatewayHandle[] = [];

async function serveSubgraph(name: string, sdl: string, resolvers: object): Promise<string> {
  const server = createServiceServer<BaseContext>({
    name,
    apollo: new ApolloServer({
      schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    }),
    context: async () => ({}),
    logger: createLogger({ name, level: 'silent' }),
  });
  servers.push(server);
  return `${await server.listen(0)}/graphql`;
}

async function startGateway(urls: Record<string, string>): Promise<GatewayHandle> {
  const issuer = await createTestIssuer({
    issuer: 'https://identity.sportello.test',
    audience: 'sportello-api',
  });
  const started = await createGateway(
    {
      supergraphSdl: composeSupergraph([
        { name: 'accounts', sdl: ACCOUNTS_SDL },
        { name: 'reviews', sdl: REVIEWS_SDL },
      ]).supergraphSdl,
      subgraphUrls: urls,
    },
    {
      verifier: createTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }),
      logger: captureLogger().logger,
    },
  );
  gateways.push(started);
  await started.listen(0);
  return started;
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = startTracing({
    serviceName: 'sportello-hub',
    exporter: { url: receiver.tracesUrl },
    batchDelayMs: 50,
  });
  subgraphUrls = {
    accounts: await serveSubgraph('accounts', ACCOUNTS_SDL, {
      Query: { me: () => ({ id: '1', name: 'Account 1' }), alert: () => null },
    }),
    reviews: await serveSubgraph('reviews', REVIEWS_SDL, {
      Account: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        reviews: (parent: { id: string }) => [{ body: `Review by ${parent.id}` }],
      },
    }),
  };
  gateway = await startGateway(subgraphUrls);
});

afterAll(async () => {
  for (const started of gateways) await started.close();
  for (const server of servers) await server.close();
  await tracing?.shutdown();
  await receiver?.close();
});

async function post(url: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
}

/** Spans of one trace, once the subgraphs' SERVER spans (the last to end) are there. */
async function traceWith(traceId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const ofTrace = (spans: ReceivedSpan[]) => spans.filter((span) => span.traceId === traceId);
  return ofTrace(await receiver.waitFor((spans) => done(ofTrace(spans))));
}

const one = (spans: ReceivedSpan[], test: (span: ReceivedSpan) => boolean): ReceivedSpan => {
  const found = spans.filter(test);
  expect(found, JSON.stringify(spans.map((s) => s.name))).toHaveLength(1);
  return found[0]!;
};

/** The ids of a span's ancestors, nearest first. */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: string[] = [];
  for (let parent = span.parentSpanId; parent !== undefined; parent = byId.get(parent)?.parentSpanId) {
    chain.push(parent);
  }
  return chain;
}

const subgraphServer = (service: string) => (span: ReceivedSpan) =>
  span.kind === 'server' && span.attributes['sportello.service'] === service;

describe('tracing across the gateway and its subgraphs', () => {
  it("continues the caller's trace: gateway SERVER span, Apollo's spans, a CLIENT span per fetch, and each subgraph's SERVER span under its fetch", async () => {
    const { status, body } = await post(
      gateway.url,
      {
        query: 'query Overview($id: ID!) { me { id name reviews { body } } alert(id: $id) { id } }',
        operationName: 'Overview',
        variables: { id: FISCAL_CODE },
      },
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { me: { id: '1', name: 'Account 1', reviews: [{ body: 'Review by 1' }] }, alert: null },
    });
    const spans = await traceWith(
      CALLER_TRACE,
      (all) =>
        all.filter((s) => s.kind === 'server').length === 3 && all.some((s) => s.name === 'gateway.request'),
    );

    const server = one(spans, subgraphServer('gateway'));
    expect(server).toMatchObject({
      service: 'sportello-hub',
      name: 'POST /graphql',
      parentSpanId: CALLER_SPAN,
      status: 'unset',
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'http.response.status_code': 200,
        'graphql.operation.name': 'Overview',
        'graphql.operation.type': 'query',
      },
    });
    expect(one(spans, (s) => s.name === 'gateway.request').parentSpanId).toBe(server.spanId);

    for (const subgraph of ['accounts', 'reviews']) {
      const fetchSpan = one(spans, (s) => s.name === 'gateway.fetch' && s.attributes['service'] === subgraph);
      const client = one(
        spans,
        (s) => s.kind === 'client' && s.attributes['sportello.subgraph'] === subgraph,
      );
      expect(client).toMatchObject({
        name: `subgraph ${subgraph}`,
        parentSpanId: fetchSpan.spanId,
        attributes: {
          'sportello.service': 'gateway',
          'sportello.outcome': 'ok',
          'http.response.status_code': 200,
        },
      });
      expect(ancestors(spans, client)).toContain(server.spanId);
      const downstream = one(spans, subgraphServer(subgraph));
      expect(downstream).toMatchObject({ name: 'POST /graphql', parentSpanId: client.spanId });
      expect(downstream.attributes['graphql.operation.name']).toMatch(/^Overview__\w+__\d+$/);
    }
    // Variables, documents and answers stay out of the trace.
    expect(JSON.stringify(spans)).not.toMatch(new RegExp(`${FISCAL_CODE}|Review by|alert\\(`));
  });

  it('starts a trace at the gateway when the caller sends none', async () => {
    await post(gateway.url, { query: '{ me { id reviews { body } } }' });
    const roots = await receiver.waitFor((spans) =>
      spans.some(
        (s) => s.attributes['sportello.service'] === 'gateway' && s.kind === 'server' && !s.parentSpanId,
      ),
    );
    const root = roots.find((s) => s.attributes['sportello.service'] === 'gateway' && !s.parentSpanId)!;
    const spans = await traceWith(root.traceId, (all) => all.filter((s) => s.kind === 'server').length === 3);
    expect(ancestors(spans, one(spans, subgraphServer('reviews')))).toContain(root.spanId);
  });

  it('marks the fetch of a subgraph that cannot be reached as failed, with its outcome', async () => {
    const broken = await startGateway({ ...subgraphUrls, reviews: 'http://127.0.0.1:9/graphql' });
    const traceId = 'f'.repeat(32);
    const { body } = await post(
      broken.url,
      { query: '{ me { id reviews { body } } }' },
      { traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
    );
    expect(body.errors).toHaveLength(1);
    const spans = await traceWith(traceId, (all) =>
      all.some((s) => s.kind === 'client' && s.attributes['sportello.subgraph'] === 'reviews'),
    );
    expect(
      one(spans, (s) => s.kind === 'client' && s.attributes['sportello.subgraph'] === 'reviews'),
    ).toMatchObject({
      status: 'error',
      attributes: { 'sportello.outcome': 'unavailable' },
    });
  });
});
