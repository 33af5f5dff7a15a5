import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCommittedSupergraph } from './composition/schema-artefacts.js';
import { createGateway, type GatewayDeps, type GatewayHandle } from './gateway.js';
import { type GatewayConfigInput } from './config.js';
import {
  captureLogger,
  type FixtureTopology,
  startFixtureTopology,
  startFixtureWorld,
} from './test-support/fixture-subgraphs.js';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ClientPrincipal,
  createInProcessBus,
  createNatsBus,
  type EventBus,
  type TokenVerifier,
} from '@sportello/platform';
import { BAD_TOKEN_KINDS, type TestIssuer } from '@sportello/test-support';

let topology: FixtureTopology;
let issuer: TestIssuer;
let verifier: TokenVerifier;

const client = (clientId: string): ClientPrincipal => ({
  kind: 'client',
  comune: '001272',
  clientId,
  scopes: [],
  tokenId: randomUUID(),
});
const tokenFor = (clientId: string, claims?: Record<string, unknown>) =>
  issuer.sign(client(clientId), claims ? { claims } : {});
const open: GatewayHandle[] = [];

beforeAll(async () => {
  ({ topology, issuer, verifier } = await startFixtureWorld());
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((gateway) => gateway.close()));
});
afterAll(async () => {
  await topology.close();
});

async function start(
  overrides: Partial<GatewayConfigInput> = {},
  log = captureLogger(),
  deps: Partial<GatewayDeps> = {},
): Promise<GatewayHandle> {
  const gateway = await createGateway(
    { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls, ...overrides },
    { verifier: verifier, logger: log.logger, ...deps },
  );
  open.push(gateway);
  await gateway.listen(0);
  return gateway;
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLBody };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('federated execution', () => {
  it('joins an entity across subgraphs and forwards the caller token and trace context', async () => {
    const gateway = await start();
    const token = await tokenFor('app-a');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { status, body } = await post(
      gateway.url,
      { query: '{ me { id name reviews { body } } seenAuthorization seenTraceparent }' },
      { ...bearer(token), traceparent },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        me: { id: '1', name: 'Account 1', reviews: [{ body: 'Review by 1' }] },
        seenAuthorization: `Bearer ${token}`,
        seenTraceparent: traceparent,
      },
    });
  });

  it('keeps a subgraph error code and message, and masks internal details', async () => {
    const gateway = await start();
    const { body } = await post(gateway.url, { query: '{ forbidden boom me { id } }' });
    expect(body.data).toEqual({ forbidden: null, boom: null, me: { id: '1' } });
    const forbidden = body.errors?.find((e) => e.path?.[0] === 'forbidden');
    expect(forbidden).toMatchObject({
      message: 'Only the anagrafe office may read this',
      extensions: { code: 'FORBIDDEN', serviceName: 'accounts' },
    });
    const boom = body.errors?.find((e) => e.path?.[0] === 'boom');
    expect(boom?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/hunter2|postgres|stacktrace/);
  });
});

describe('subgraph outage', () => {
  it('answers with partial data and an error when one subgraph is down, and /ready says which', async () => {
    const own = await startFixtureTopology();
    const gateway = await createGateway(
      { supergraphSdl: own.supergraphSdl, subgraphUrls: own.subgraphUrls },
      { verifier: verifier, logger: captureLogger().logger },
    );
    open.push(gateway);
    await gateway.listen(0);
    const base = gateway.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/ready`)).status).toBe(200);

    await own.reviews.stop();
    const { status, body } = await post(gateway.url, { query: '{ me { name } latestReview { body } }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ me: { name: 'Account 1' }, latestReview: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({
      message: 'Subgraph "reviews" is unavailable',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' },
    });
    expect(JSON.stringify(body.errors)).not.toContain('127.0.0.1');

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ready: false,
      subgraphs: [
        { name: 'accounts', ready: true },
        { name: 'reviews', ready: false, reason: 'unreachable' },
      ],
    });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await own.close();
  });
});

describe('token verification', () => {
  it('answers 401 with a challenge when a request without a token gets no data for want of one', async () => {
    const gateway = await start();
    const refused = await post(gateway.url, { query: '{ staffQueue }' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'AUTHENTICATION_REQUIRED',
    });
    // Partial data stands, so the answer is 200 with the error beside it.
    const partial = await post(gateway.url, { query: '{ me { id } staffNote }' });
    expect(partial.status).toBe(200);
    expect(partial.body.data).toEqual({ me: { id: '1' }, staffNote: null });
    expect(partial.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    // Signed in but not allowed: the caller cannot fix it by signing in, so no challenge.
    const forbidden = await post(
      gateway.url,
      { query: '{ staffQueue }' },
      bearer(await issuer.sign(client('app-a'))),
    );
    expect(forbidden.status).toBe(200);
    expect(forbidden.headers.get('www-authenticate')).toBeNull();
    expect(forbidden.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('rejects every kind of bad token before any subgraph is called', async () => {
    const gateway = await start();
    const before = topology.accounts.requests + topology.reviews.requests;
    const reasons = new Set<unknown>();
    for (const kind of BAD_TOKEN_KINDS) {
      const token = await issuer.badToken(kind, client('app-a'));
      const { status, headers, body } = await post(gateway.url, { query: '{ me { id } }' }, bearer(token));
      expect(status, kind).toBe(401);
      expect(headers.get('www-authenticate'), kind).toBe('Bearer');
      expect(body.data, kind).toBeUndefined();
      expect(body.errors?.[0]?.extensions?.['code'], kind).toBe('UNAUTHENTICATED');
      expect(body.errors?.[0]?.message, kind).not.toContain(issuer.keyId);
      expect(body.errors?.[0]?.message, kind).not.toContain('issuer.invalid');
      reasons.add(body.errors?.[0]?.extensions?.['reason']);
    }
    expect([...reasons]).toEqual(
      expect.arrayContaining([
        'TOKEN_EXPIRED',
        'WRONG_ISSUER',
        'WRONG_AUDIENCE',
        'ALGORITHM_NOT_ALLOWED',
        'UNKNOWN_KEY',
      ]),
    );
    const basic = await post(
      gateway.url,
      { query: '{ me { id } }' },
      { authorization: 'Basic dXNlcjpwYXNz' },
    );
    expect(basic.status).toBe(401);
    expect(basic.body.errors?.[0]?.message).toBe('The Authorization header must be "Bearer <access token>".');
    expect(topology.accounts.requests + topology.reviews.requests).toBe(before);
  });
});

describe('operation limits', () => {
  it('refuses an alias bomb, a deep query and a costly query, naming the limit, while others are served', async () => {
    const gateway = await start({ limits: { maxAliases: 10, maxDepth: 5, maxCost: 500 } });
    const aliasBomb = `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const alias = await post(gateway.url, { query: aliasBomb });
    expect(alias.status).toBe(400);
    expect(alias.body.errors?.[0]).toMatchObject({
      message: 'Number of aliased fields 50 exceeds the limit of 10 (maxAliases)',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: { name: 'maxAliases', max: 10, actual: 50 } },
    });

    const deep = await post(gateway.url, {
      query: '{ me { friends { friends { friends { friends { friends { id } } } } } } }',
    });
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]?.message).toBe('Query depth 7 exceeds the limit of 5 (maxDepth)');

    // Fragments count every time they are spread.
    const viaFragments = await post(gateway.url, {
      query:
        'query Q { me { ...F ...F } } fragment F on Account { x1: id x2: id x3: id x4: id x5: id x6: id }',
    });
    expect(viaFragments.body.errors?.[0]?.extensions?.['limit']).toEqual({
      name: 'maxAliases',
      max: 10,
      actual: 12,
    });

    const costly = await post(gateway.url, {
      query: '{ accounts(first: 50) { friends(first: 50) { id } } }',
    });
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0]?.extensions?.['limit']).toEqual({
      name: 'maxCost',
      max: 500,
      actual: 2551,
    });

    const fine = await post(gateway.url, { query: '{ accounts(first: 2) { id } }' });
    expect(fine.body).toEqual({ data: { accounts: [{ id: '1' }, { id: '2' }] } });
  });

  it('refuses oversized bodies with 413 and documents with too many tokens with 400', async () => {
    const gateway = await start({ limits: { maxBodyBytes: 2_000, maxTokens: 100 } });
    const big = await post(gateway.url, { query: `{ me { id } } # ${'x'.repeat(5_000)}` });
    expect(big.status).toBe(413);
    expect(big.body.errors?.[0]).toEqual({
      message: 'Request body exceeds 2000 bytes (maxBodyBytes)',
      extensions: { code: 'PAYLOAD_TOO_LARGE', limit: { name: 'maxBodyBytes', max: 2000 } },
    });
    const many = await post(gateway.url, { query: `{ ${'me { id } '.repeat(30)} }` });
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]?.message).toBe('Document has more than 100 tokens, the limit (maxTokens)');
    expect((await post(gateway.url, { query: '{ me { id } }' })).status).toBe(200);
  });

  it('stops a request that runs past the timeout with 504', async () => {
    const gateway = await start({ limits: { requestTimeoutMs: 300 } });
    // The subgraph answers only once the gateway has given up on it.
    const slow = await post(gateway.url, { query: '{ held(gate: "past-request-timeout") }' });
    expect(slow.status).toBe(504);
    expect(slow.body.errors?.[0]?.extensions?.['code']).toBe('REQUEST_TIMEOUT');
    topology.gates.open('past-request-timeout');
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After to a flooding client while another client keeps being served', async () => {
    const gateway = await start({ rateLimits: { clientPerMinute: 1_000 } });
    const flooder = await tokenFor('flooder', { rate_limit: 5 });
    const polite = await tokenFor('polite');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1)
      statuses.push((await post(gateway.url, { query: '{ me { id } }' }, bearer(flooder))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = await post(gateway.url, { query: '{ me { id } }' }, bearer(flooder));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      limit: { name: 'clientPerMinute', max: 5 },
    });
    expect((await post(gateway.url, { query: '{ me { id } }' }, bearer(polite))).status).toBe(200);
  });

  it('limits by IP address too', async () => {
    const gateway = await start({ rateLimits: { ipPerMinute: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await post(gateway.url, { query: '{ me { id } }' })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  describe('across replicas sharing a NATS bus', () => {
    const suffix = randomBytes(4).toString('hex');
    const buses: EventBus[] = [];
    // The deployment's stream and subjects (the gateway listens to identity's): the client ids of
    // this run are its own, so other runs' gateways on the same server change nothing here.
    const replicaBus = async () => {
      const bus = await createNatsBus({ servers: '127.0.0.1:4222', connectionName: 'gateway-rate-test' });
      buses.push(bus);
      return bus;
    };
    afterAll(async () => {
      await Promise.all(buses.map((bus) => bus.close()));
    });

    /** Requests other replicas let through that `gateway` has spent from its own budgets. */
    async function peerRequests(gateway: GatewayHandle, kind: 'ip' | 'client'): Promise<number> {
      const text = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
      const line = new RegExp(
        `^sportello_gateway_rate_limit_peer_requests_total\\{kind="${kind}"\\} (\\d+)$`,
        'm',
      );
      return Number(line.exec(text)?.[1] ?? 0);
    }

    async function replicas(syncIntervalMs: number): Promise<[GatewayHandle, GatewayHandle]> {
      const config = { rateLimits: { clientPerMinute: 1_000, syncIntervalMs } };
      const first = await start(config, captureLogger(), { bus: await replicaBus() });
      const second = await start(config, captureLogger(), { bus: await replicaBus() });
      return [first, second];
    }

    it('keeps a client spreading its requests over two replicas to one budget', async () => {
      const [first, second] = await replicas(50);
      const spreader = bearer(await tokenFor(`spreader-${suffix}`, { rate_limit: 6 }));
      const polite = bearer(await tokenFor(`polite-${suffix}`));
      for (let i = 0; i < 6; i += 1) {
        expect((await post(first.url, { query: '{ me { id } }' }, spreader)).status).toBe(200);
      }

      // Once the second replica has heard of the six, it refuses the seventh, as the first would.
      await expect.poll(() => peerRequests(second, 'client'), { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
      const refused = await post(second.url, { query: '{ me { id } }' }, spreader);
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        limit: { name: 'clientPerMinute', max: 6 },
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await post(second.url, { query: '{ me { id } }' }, polite)).status).toBe(200);
      expect((await post(first.url, { query: '{ me { id } }' }, spreader)).status).toBe(429);
    });

    it('ignores a malformed usage report on the bus, once warned, and keeps serving', async () => {
      const bus = createInProcessBus();
      const log = captureLogger();
      const gateway = await start({ rateLimits: { syncIntervalMs: 50 } }, log, { bus });
      const caller = bearer(await tokenFor(`steady-${suffix}`, { rate_limit: 2 }));
      for (const garbage of ['not json', '{"replica":"x","usage":{"client":[["k",-5,2]]}}']) {
        bus.broadcast('gateway-rate-usage', new TextEncoder().encode(garbage));
      }
      await expect
        .poll(() => log.lines.filter((line) => /malformed rate-limit usage report/.test(line.message ?? '')))
        .toHaveLength(1);

      expect((await post(gateway.url, { query: '{ me { id } }' }, caller)).status).toBe(200);
      expect(await peerRequests(gateway, 'client')).toBe(0);
      await bus.close();
    });

    it('gives each replica a budget of its own when sharing is off (GATEWAY_RATE_LIMIT_SYNC_MS=0)', async () => {
      const [first, second] = await replicas(0);
      const spreader = bearer(await tokenFor(`unshared-${suffix}`, { rate_limit: 3 }));
      const at = async (gateway: GatewayHandle) =>
        (await post(gateway.url, { query: '{ me { id } }' }, spreader)).status;
      const statuses = [];
      for (const gateway of [first, first, first, first, second, second, second, second]) {
        statuses.push(await at(gateway));
      }
      expect(statuses).toEqual([200, 200, 200, 429, 200, 200, 200, 429]);
      expect(await peerRequests(second, 'client')).toBe(0);
    });
  });
});

describe('persisted documents', () => {
  const registered = 'query Me { me { id } }';
  const hash = createHash('sha256').update(registered).digest('hex');
  const byHash = { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };

  it('lets a trusted-documents-only client run its registered operations by hash and nothing else', async () => {
    const gateway = await start({
      trustedDocuments: { kiosk: { trustedOnly: true, operations: { [hash]: registered } } },
    });
    const kiosk = bearer(await tokenFor('kiosk'));
    expect((await post(gateway.url, byHash, kiosk)).body).toEqual({ data: { me: { id: '1' } } });
    expect((await post(gateway.url, { query: registered }, kiosk)).status).toBe(200);
    const arbitrary = await post(gateway.url, { query: '{ accounts { id name } }' }, kiosk);
    expect(arbitrary.status).toBe(400);
    expect(arbitrary.body.errors?.[0]?.extensions?.['code']).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(arbitrary.body.errors?.[0]?.message).toMatch(
      /^Client "kiosk" may only run its registered operations; operation [0-9a-f]{64} is not one of them$/,
    );
    // Other clients are not bound by the kiosk's manifest.
    expect(
      (await post(gateway.url, { query: '{ accounts { id } }' }, bearer(await tokenFor('other')))).status,
    ).toBe(200);
  });

  it('refuses a manifest whose hash does not match its document', async () => {
    await expect(
      start({ trustedDocuments: { kiosk: { operations: { ['0'.repeat(64)]: registered } } } }),
    ).rejects.toThrow(/trustedDocuments\.kiosk\.operations\.0{64}: the document's SHA-256 is not/);
  });

  it('supports automatic persisted queries for everyone else', async () => {
    const gateway = await start();
    const miss = await post(gateway.url, byHash);
    expect(miss.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(gateway.url, { query: registered, ...byHash })).body).toEqual({
      data: { me: { id: '1' } },
    });
    expect((await post(gateway.url, byHash)).body).toEqual({ data: { me: { id: '1' } } });
  });
});

describe('production mode', () => {
  it('turns introspection off', async () => {
    const gateway = await start({ mode: 'production' });
    const { body } = await post(gateway.url, { query: '{ __schema { queryType { name } } }' });
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
    const dev = await start();
    expect((await post(dev.url, { query: '{ __schema { queryType { name } } }' })).body.data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
  });
});

describe('operations endpoints', () => {
  it('exposes Prometheus metrics and writes access logs without tokens or variables', async () => {
    const log = captureLogger();
    const gateway = await start({}, log);
    const token = await tokenFor('app-metrics');
    await post(
      gateway.url,
      {
        query: 'query Lookup($n: Int) { accounts(first: $n) { id } }',
        operationName: 'Lookup',
        variables: { n: 2 },
      },
      bearer(token),
    );
    await post(gateway.url, { query: '{ forbidden }' });
    const base = gateway.url.replace(/\/graphql$/, '');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/sportello_gateway_http_requests_total\{route="graphql",status="200"\} 2/);
    expect(metrics).toMatch(/sportello_gateway_graphql_errors_total\{code="FORBIDDEN"\} 1/);
    expect(metrics).toMatch(
      /sportello_gateway_subgraph_fetch_duration_seconds_count\{subgraph="accounts",outcome="ok"\} 2/,
    );
    expect(metrics).toContain('sportello_gateway_open_subscriptions 0');
    expect(metrics).toContain('sportello_gateway_http_request_duration_seconds_bucket');

    const access = log.lines.filter((line) => line.message === 'graphql request');
    expect(access).toHaveLength(2);
    expect(access[0]?.fields).toMatchObject({
      method: 'POST',
      status: 200,
      operationName: 'Lookup',
      clientId: 'app-metrics',
      errorCodes: [],
    });
    expect(access[1]?.fields).toMatchObject({ status: 200, clientId: null, errorCodes: ['FORBIDDEN'] });
    const written = JSON.stringify(log.lines);
    expect(written).not.toContain(token);
    expect(written).not.toContain('"n":2');
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });

  it('refuses to start when a subgraph of the supergraph has no URL', async () => {
    await expect(
      createGateway(
        { supergraphSdl: topology.supergraphSdl, subgraphUrls: { accounts: topology.accounts.url } },
        { verifier: verifier, logger: captureLogger().logger },
      ),
    ).rejects.toThrow('No URL configured for subgraph(s) reviews of the supergraph');
  });
});

describe('the committed supergraph', () => {
  it('boots the gateway, which reports unreachable subgraphs instead of failing', async () => {
    const supergraphSdl = readCommittedSupergraph();
    const names = [...supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)"/g)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(0);
    const gateway = await createGateway(
      {
        supergraphSdl,
        subgraphUrls: Object.fromEntries(names.map((name) => [name, 'http://127.0.0.1:9/graphql'])),
      },
      { verifier, logger: captureLogger().logger },
    );
    open.push(gateway);
    await gateway.listen(0);
    const base = gateway.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = (await (await fetch(`${base}/ready`)).json()) as {
      subgraphs: Array<{ name: string; ready: boolean }>;
    };
    expect(ready.subgraphs.map((s) => s.name).sort()).toEqual([...names].sort());
    expect(ready.subgraphs.every((s) => !s.ready)).toBe(true);
  });
});

describe('browser apps (CORS)', () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('answers a preflight for a configured origin, refuses others, and marks the answers', async () => {
    const gateway = await start({
      mode: 'production',
      publicUrl: 'https://servizi.comune.example.it',
      cors: { origins: ['https://app.example.it'] },
    });
    const allowed = await preflight(gateway.url, 'https://app.example.it');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.it');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    // The dashboard is served on the public origin: always allowed.
    expect((await preflight(gateway.url, 'https://servizi.comune.example.it')).status).toBe(204);
    const refused = await preflight(gateway.url, 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const answered = await post(
      gateway.url,
      { query: '{ me { id } }' },
      { origin: 'https://app.example.it' },
    );
    expect(answered.status).toBe(200);
    expect(answered.headers.get('access-control-allow-origin')).toBe('https://app.example.it');
    expect(answered.headers.get('vary')).toMatch(/origin/i);
    const elsewhere = await post(gateway.url, { query: '{ me { id } }' }, { origin: 'https://evil.example' });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets any origin in a demo unless origins are configured', async () => {
    const gateway = await start();
    const answer = await preflight(gateway.url, 'http://localhost:5173');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});

describe('introspection under the limits', () => {
  it('counts each introspection field in the cost and its aliases, so it cannot multiply the schema', async () => {
    const gateway = await start({ introspection: true });
    const once = await post(gateway.url, { query: '{ __schema { types { name } } }' });
    expect(once.status).toBe(200);
    expect(once.body.errors).toBeUndefined();
    const aliased = Array.from({ length: 110 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ');
    const many = await post(gateway.url, { query: `{ ${aliased} }` });
    expect(many.body.data ?? null).toBeNull();
    const limits = (many.body.errors ?? []).map(
      (error) => (error.extensions?.['limit'] as { name: string }).name,
    );
    expect(limits).toEqual(expect.arrayContaining(['maxAliases', 'maxCost']));
  });
});
