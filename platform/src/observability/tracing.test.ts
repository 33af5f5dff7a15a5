import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { createServiceServer, type ServiceServer } from '../http/service-server.js';
import { createLogger } from '../logging/logger.js';
import { type OtlpReceiver, startOtlpReceiver } from '@sportello/test-support';
import { loadTracingConfig, startTracing, startTracingFromEnv, type Tracing } from './tracing.js';

const OWNER = 'RSSMRA80A01H501U';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    address(fiscalCode: String!): String
  }
`);

let receiver: OtlpReceiver;
let tracing: Tracing;
let server: ServiceServer;
let url: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = startTracing({
    serviceName: 'sportello-anagrafe',
    exporter: { url: receiver.tracesUrl },
    batchDelayMs: 50,
  });
  const logger = createLogger({ name: 'anagrafe', level: 'silent' });
  server = createServiceServer<BaseContext>({
    name: 'anagrafe',
    apollo: new ApolloServer({
      schema: buildSubgraphSchema([
        { typeDefs, resolvers: { Query: { address: () => 'Via dei Fori Imperiali 1' } } },
      ]),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    }),
    context: async () => ({}),
    routes: [
      {
        method: 'POST',
        path: '/certificates',
        handler: () => {
          throw new Error(`archive unreachable while issuing for ${OWNER}`);
        },
      },
    ],
    logger,
  });
  url = await server.listen(0);
});

afterAll(async () => {
  await server?.close();
  await tracing?.shutdown();
  await receiver?.close();
});

const traceOf = (traceId: string) => (spans: { traceId: string }[]) =>
  spans.some((span) => span.traceId === traceId);

describe('service server spans', () => {
  it("exports a SERVER span over OTLP/HTTP JSON, child of the caller's traceparent, without personal data", async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
        authorization: 'Bearer secret-token-value',
      },
      body: JSON.stringify({
        query: 'query ResidentAddress($fiscalCode: String!) { address(fiscalCode: $fiscalCode) }',
        operationName: 'ResidentAddress',
        variables: { fiscalCode: OWNER },
      }),
    });
    expect(response.status).toBe(200);
    const spans = (await receiver.waitFor(traceOf(TRACE_ID))).filter((s) => s.traceId === TRACE_ID);
    expect(spans).toEqual([
      {
        service: 'sportello-anagrafe',
        traceId: TRACE_ID,
        spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
        parentSpanId: CALLER_SPAN,
        name: 'POST /graphql',
        kind: 'server',
        status: 'unset',
        attributes: {
          'sportello.service': 'anagrafe',
          'http.request.method': 'POST',
          'http.route': '/graphql',
          'http.response.status_code': 200,
          'graphql.operation.name': 'ResidentAddress',
        },
      },
    ]);
    expect(spans[0]!.spanId).not.toBe(CALLER_SPAN);
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
  });

  it('starts a new trace without a traceparent, marks a failed request as an error, and masks an operation name that is a fiscal code', async () => {
    const failed = await fetch(`${url}/certificates`, { method: 'POST' });
    expect(failed.status).toBe(500);
    await fetch(`${url}/health`);
    const query = encodeURIComponent(`query ${OWNER} { __typename }`);
    const named = await fetch(`${url}/graphql?query=${query}&operationName=${OWNER}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(named.status).toBe(200);
    const spans = await receiver.waitFor(
      (all) =>
        all.some((s) => s.attributes['http.route'] === '/certificates') &&
        all.some((s) => s.name === 'GET /graphql'),
    );
    const certificate = spans.find((s) => s.attributes['http.route'] === '/certificates')!;
    expect(certificate).toMatchObject({
      name: 'POST /certificates',
      kind: 'server',
      status: 'error',
      attributes: { 'http.response.status_code': 500, 'error.type': 'Error' },
    });
    expect(certificate.parentSpanId).toBeUndefined();
    expect(certificate.traceId).not.toBe(TRACE_ID);
    const get = spans.find((s) => s.name === 'GET /graphql')!;
    expect(get.attributes['graphql.operation.name']).toBe('RSS***********1U');
    await tracing.forceFlush();
    // Probes are not traced; nothing a request carried (token, variables, messages) is either.
    expect(receiver.spans().filter((s) => s.attributes['http.route'] === '/health')).toEqual([]);
    expect(JSON.stringify(receiver.spans())).not.toMatch(new RegExp(`${OWNER}|secret-token|archive`));
  });
});

describe('tracing configuration', () => {
  it('reads the standard variables: the traces endpoint wins over the base one, and is off when disabled', () => {
    const options = { app: 'anagrafe', serviceName: 'sportello-anagrafe' };
    expect(loadTracingConfig({}, options)).toEqual({
      serviceName: 'sportello-anagrafe',
      tracesEndpoint: null,
      sampleRatio: 1,
    });
    expect(
      loadTracingConfig(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
          OTEL_SERVICE_NAME: 'anagrafe-roma',
          OTEL_TRACES_SAMPLER_ARG: '0.25',
        },
        options,
      ),
    ).toEqual({
      serviceName: 'anagrafe-roma',
      tracesEndpoint: 'http://collector:4318/v1/traces',
      sampleRatio: 0.25,
    });
    expect(
      loadTracingConfig(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp',
        },
        options,
      ).tracesEndpoint,
    ).toBe('https://traces.example/otlp');
    expect(
      loadTracingConfig(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' },
        options,
      ).tracesEndpoint,
    ).toBeNull();
  });

  it('names the bad variable', () => {
    const load = () =>
      loadTracingConfig(
        { OTEL_TRACES_SAMPLER_ARG: '2', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
        { app: 'anagrafe', serviceName: 'sportello-anagrafe' },
      );
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      'Invalid configuration for anagrafe:\n  - OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL starting with http:// or https://, got "collector:4318"\n  - OTEL_TRACES_SAMPLER_ARG: expected a number between 0 and 1, got "2"',
    );
  });

  it('registers nothing without an endpoint, and refuses a second provider in one process', () => {
    const off = startTracingFromEnv({}, { app: 'anagrafe', serviceName: 'sportello-anagrafe' });
    expect(off.enabled).toBe(false);
    expect(() => startTracing({ serviceName: 'again', exporter: { url: receiver.tracesUrl } })).toThrow(
      /already running/,
    );
  });
});
