import { createHash, randomUUID } from 'node:crypto';
import { type ClientPrincipal, type TokenVerifier } from '@sportello/platform';
import { type TestIssuer } from '@sportello/test-support';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type GatewayConfigInput } from '../config.js';
import { createGateway, type GatewayHandle } from '../gateway.js';
import { captureLogger, type FixtureTopology, startFixtureWorld } from '../test-support/fixture-subgraphs.js';

let topology: FixtureTopology;
let issuer: TestIssuer;
let verifier: TokenVerifier;
const open: GatewayHandle[] = [];

const app = (clientId: string): ClientPrincipal => ({
  kind: 'client',
  comune: '058091',
  clientId,
  scopes: [],
  tokenId: randomUUID(),
});

beforeAll(async () => {
  ({ topology, issuer, verifier } = await startFixtureWorld());
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((gateway) => gateway.close()));
});
afterAll(async () => {
  await topology.close();
});

async function start(overrides: Partial<GatewayConfigInput>): Promise<GatewayHandle> {
  const gateway = await createGateway(
    { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls, ...overrides },
    { verifier, logger: captureLogger().logger },
  );
  open.push(gateway);
  await gateway.listen(0);
  return gateway;
}

/** One operation as a caller sends it. */
interface Ask {
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
  comune?: string;
}

/** What came back: `ok`, or the error code (HTTP status aside). */
type Outcome = { status?: number; code: string };

async function overHttp(gateway: GatewayHandle, ask: Ask): Promise<Outcome> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(ask.token ? { authorization: `Bearer ${ask.token}` } : {}),
      ...(ask.comune ? { 'x-comune': ask.comune } : {}),
    },
    body: JSON.stringify({ query: ask.query, variables: ask.variables ?? {} }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? 'ok' };
}

/** The outcomes of `asks`, in order, over one graphql-ws connection; `closed:<code>` if it was refused. */
async function overSocket(
  gateway: GatewayHandle,
  connection: { token?: string; comune?: string },
  asks: Ask[],
) {
  let closedWith: number | undefined;
  const client = createClient({
    url: gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: {
      ...(connection.token ? { authorization: `Bearer ${connection.token}` } : {}),
      ...(connection.comune ? { comune: connection.comune } : {}),
    },
    on: { closed: (event) => (closedWith = (event as { code: number }).code) },
  });
  const outcomes: string[] = [];
  try {
    for (const ask of asks) {
      outcomes.push(
        await new Promise<string>((resolve) => {
          client.subscribe(
            { query: ask.query, variables: ask.variables ?? {} },
            {
              next: (result) =>
                resolve((result.errors?.[0]?.extensions?.['code'] as string | undefined) ?? 'ok'),
              error: (error) =>
                resolve(
                  Array.isArray(error)
                    ? ((error[0] as { extensions?: { code?: string } }).extensions?.code ?? 'error')
                    : `closed:${closedWith ?? (error as { code?: number }).code ?? '?'}`,
                ),
              complete: () => undefined,
            },
          );
        }),
      );
    }
  } finally {
    await client.dispose();
  }
  return outcomes;
}

const TRUSTED = '{ me { id } }';
const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Every admission rule, as a table: the gateway's settings, the caller, what breaks the rule, and
 * the code it must answer with over HTTP and over graphql-ws alike.
 */
const RULES: Array<{
  rule: string;
  config: Partial<GatewayConfigInput>;
  token?: () => Promise<string>;
  comune?: string;
  /** Operations before the one that breaks the rule (spending a budget). */
  before?: number;
  breaking: Ask;
  code: string;
  status: number;
}> = [
  {
    rule: 'client rate limit (the token says 3 a minute)',
    config: {},
    token: () => issuer.sign(app('tiny-budget'), { claims: { rate_limit: 3 } }),
    before: 3,
    breaking: { query: '{ me { id } }' },
    code: 'RATE_LIMITED',
    status: 429,
  },
  {
    rule: 'trusted documents only',
    config: {
      trustedDocuments: { 'locked-app': { trustedOnly: true, operations: { [hash(TRUSTED)]: TRUSTED } } },
    },
    token: () => issuer.sign(app('locked-app')),
    breaking: { query: 'mutation { recolour(id: "x", colour: "red") { id } }' },
    code: 'TRUSTED_DOCUMENT_REQUIRED',
    status: 400,
  },
  {
    rule: 'document size in tokens',
    config: { limits: { maxTokens: 20 } },
    breaking: { query: `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: me { id }`).join(' ')} }` },
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    rule: 'depth',
    config: { limits: { maxDepth: 3 } },
    breaking: { query: '{ me { friends { friends { friends { id } } } } }' },
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    rule: 'aliases',
    config: { limits: { maxAliases: 2 } },
    breaking: { query: '{ a: me { id } b: me { id } c: me { id } }' },
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    rule: 'cost, introspection included',
    config: { limits: { maxCost: 1500 }, introspection: true },
    breaking: { query: '{ a: __schema { queryType { name } } b: __schema { queryType { name } } }' },
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    rule: 'NUL character in a value',
    config: {},
    breaking: {
      query: 'query ($z: String) { alertIssuedFor: alert(id: $z) { id } }',
      variables: { z: 'a\u0000b' },
    },
    code: 'BAD_USER_INPUT',
    status: 400,
  },
  {
    rule: 'malformed comune',
    config: {},
    comune: 'abc',
    breaking: { query: '{ me { id } }' },
    code: 'BAD_USER_INPUT',
    status: 400,
  },
  {
    rule: 'request timeout',
    config: { limits: { requestTimeoutMs: 150 } },
    // Never opened: the operation waits for the gateway's own deadline (the fixture opens it at close).
    breaking: { query: '{ held(gate: "past-request-timeout") }' },
    code: 'REQUEST_TIMEOUT',
    status: 504,
  },
];

describe('one admission pipeline for HTTP and graphql-ws', () => {
  it.each(RULES)('applies "$rule" over HTTP and over a socket alike', async (rule) => {
    const gateway = await start(rule.config);
    const token = rule.token ? await rule.token() : undefined;
    const ask = {
      ...rule.breaking,
      ...(token ? { token } : {}),
      ...(rule.comune ? { comune: rule.comune } : {}),
    };
    for (let i = 0; i < (rule.before ?? 0); i += 1) expect((await overHttp(gateway, ask)).code).toBe('ok');
    expect(await overHttp(gateway, ask)).toEqual({ status: rule.status, code: rule.code });

    // A gateway of its own, so budgets spent over HTTP do not count.
    const fresh = await start(rule.config);
    const connection = { ...(token ? { token } : {}), ...(rule.comune ? { comune: rule.comune } : {}) };
    const outcomes = await overSocket(
      fresh,
      connection,
      Array.from({ length: (rule.before ?? 0) + 1 }, () => rule.breaking),
    );
    expect(outcomes.at(-1)).toBe(rule.code);
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'ok')).toBe(true);
  });

  it('lets a trusted-documents-only app run its registered operation on both transports', async () => {
    const gateway = await start({
      trustedDocuments: { 'locked-app': { trustedOnly: true, operations: { [hash(TRUSTED)]: TRUSTED } } },
    });
    const token = await issuer.sign(app('locked-app'));
    expect(await overHttp(gateway, { query: TRUSTED, token })).toEqual({ status: 200, code: 'ok' });
    expect(await overSocket(gateway, { token }, [{ query: TRUSTED }])).toEqual(['ok']);
  });

  it('refuses a bad token at the socket as over HTTP', async () => {
    const gateway = await start({});
    const bad = await issuer.badToken('expired', app('any'));
    expect(await overHttp(gateway, { query: '{ me { id } }', token: bad })).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(await overSocket(gateway, { token: bad }, [{ query: '{ me { id } }' }])).toEqual(['closed:4403']);
  });

  it('refuses the upgrade of an address over its budget as it refuses its requests', async () => {
    const gateway = await start({ rateLimits: { ipPerMinute: 1 } });
    expect((await overHttp(gateway, { query: '{ me { id } }' })).status).toBe(200);
    expect(await overHttp(gateway, { query: '{ me { id } }' })).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
    });
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(status).toBe(429);
  });
});

describe('the client address behind proxies', () => {
  const ask = (gateway: GatewayHandle, forwardedFor: string) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: '{ me { id } }' }),
    }).then((response) => response.status);

  it('is what the trusted proxy saw, never what the client wrote in X-Forwarded-For', async () => {
    // The test talks to the gateway from 127.0.0.1: that is the trusted proxy.
    const gateway = await start({ trustedProxies: ['127.0.0.1'], rateLimits: { ipPerMinute: 1 } });
    // The client wrote the first entry itself; the proxy appended the address it saw.
    expect(await ask(gateway, 'spoofed-1, 203.0.113.7')).toBe(200);
    expect(await ask(gateway, 'spoofed-2, 203.0.113.7')).toBe(429);
    // Another client behind the same proxy has a budget of its own.
    expect(await ask(gateway, '198.51.100.9')).toBe(200);
  });

  it('is the TCP peer when no proxy is trusted, whatever the header says', async () => {
    const gateway = await start({ rateLimits: { ipPerMinute: 1 } });
    expect(await ask(gateway, '203.0.113.7')).toBe(200);
    expect(await ask(gateway, '198.51.100.9')).toBe(429);
  });
});

describe('operations at once', () => {
  const metric = async (gateway: GatewayHandle, name: string) => {
    const page = await fetch(new URL('/metrics', gateway.url)).then((response) => response.text());
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(page)?.[1]);
  };

  it('lets maxConcurrentOperations run, queues the next, and refuses past the line with OVERLOADED on both transports', async () => {
    const gateway = await start({
      limits: { maxConcurrentOperations: 1, maxQueuedOperations: 1, maxQueueWaitMs: 60_000 },
    });
    const running = overHttp(gateway, { query: '{ held(gate: "line-full") }' });
    await topology.gates.arrived('line-full');
    const queued = overHttp(gateway, { query: '{ me { id } }' });
    await expect.poll(() => metric(gateway, 'sportello_gateway_operations_queued')).toBe(1);

    const refused = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { recolour(id: "a1", colour: "red") { id } }' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = (await refused.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(body.errors[0]!.extensions.code).toBe('OVERLOADED');
    expect(body.errors[0]!.message).toMatch(/Nothing was run/);
    expect(await overSocket(gateway, {}, [{ query: '{ me { id } }' }])).toEqual(['OVERLOADED']);
    expect(await metric(gateway, 'sportello_gateway_operations_running')).toBe(1);

    topology.gates.open('line-full');
    expect(await running).toEqual({ status: 200, code: 'ok' });
    expect(await queued).toEqual({ status: 200, code: 'ok' });
    expect(await metric(gateway, 'sportello_gateway_operations_running')).toBe(0);
  });

  it('refuses an operation that waited maxQueueWaitMs for its turn', async () => {
    const gateway = await start({
      limits: { maxConcurrentOperations: 1, maxQueuedOperations: 10, maxQueueWaitMs: 50 },
    });
    const running = overHttp(gateway, { query: '{ held(gate: "long-wait") }' });
    await topology.gates.arrived('long-wait');
    expect(await overHttp(gateway, { query: '{ me { id } }' })).toEqual({ status: 503, code: 'OVERLOADED' });
    topology.gates.open('long-wait');
    expect(await running).toEqual({ status: 200, code: 'ok' });
    expect(await overHttp(gateway, { query: '{ me { id } }' })).toEqual({ status: 200, code: 'ok' });
  });
});
