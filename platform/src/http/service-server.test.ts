import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizePersonalDataRead, createMemoryAuditSink } from '../auth/audit.js';
import { createInternalAssertions } from '../auth/internal-assertion.js';
import { createTestIssuer, type TestIssuer } from '@sportello/test-support';
import { type TokenPrincipal } from '../auth/token-claims.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import { createDatabase, type Database } from '../database/database.js';
import { createErrorMasking } from '../errors/error-masking.js';
import { createLogger } from '../logging/logger.js';
import {
  createRequestContextFactory,
  type DatabaseRequestContext,
  type RequestContext,
} from './request-context.js';
import { createServiceServer, type ServiceServer } from './service-server.js';

const ISSUER = 'http://127.0.0.1:4001';
const AUDIENCE = 'sportello-api';
const ROMA = '058091';
const OWNER = 'RSSMRA80A01H501U';

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    me: Caller!
    resident(fiscalCode: String!): Resident
    crash: String
  }

  type Caller {
    kind: String!
    comune: String!
    requestId: String!
  }

  type Resident @key(fields: "fiscalCode") {
    fiscalCode: String!
    address: String
  }
`);

const addresses: Record<string, string> = { [OWNER]: 'Via dei Fori Imperiali 1' };

const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: RequestContext) => ({
      kind: ctx.principal.kind,
      comune: ctx.comune,
      requestId: ctx.requestId,
    }),
    resident: (_: unknown, args: { fiscalCode: string }) =>
      addresses[args.fiscalCode] === undefined ? null : { fiscalCode: args.fiscalCode },
    crash: () => {
      throw new Error(`database exploded while loading ${OWNER}`);
    },
  },
  Resident: {
    address: async (resident: { fiscalCode: string }, _: unknown, ctx: RequestContext) => {
      await authorizePersonalDataRead(ctx, resident.fiscalCode, {
        office: 'anagrafe',
        scope: 'anagrafe',
        action: 'read',
        resource: 'Resident.address',
      });
      return addresses[resident.fiscalCode];
    },
  },
};

const citizen: TokenPrincipal = {
  kind: 'citizen',
  comune: ROMA,
  fiscalCode: OWNER,
  actsFor: [],
  tokenId: 'c',
};
const stranger: TokenPrincipal = {
  kind: 'citizen',
  comune: ROMA,
  fiscalCode: 'CNTCHR83T41D969D',
  actsFor: [],
  tokenId: 's',
};
const clerk: TokenPrincipal = {
  kind: 'staff',
  comune: ROMA,
  username: 'clerk',
  offices: ['anagrafe'],
  tokenId: 'k',
};
const taxOfficer: TokenPrincipal = {
  kind: 'staff',
  comune: ROMA,
  username: 'tax',
  offices: ['tributi'],
  tokenId: 't',
};

let issuer: TestIssuer;
let server: ServiceServer;
let url: string;
let healthy = true;
const audit = createMemoryAuditSink();
const logLines: string[] = [];

const logger = createLogger({
  name: 'anagrafe',
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
});

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
  const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks });
  const masking = createErrorMasking<RequestContext>(logger);
  server = createServiceServer({
    name: 'anagrafe',
    apollo: new ApolloServer<RequestContext>({
      schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
      logger,
      formatError: masking.formatError,
      plugins: [masking.plugin],
    }),
    context: createRequestContextFactory({ verifier, defaultComune: ROMA, logger, audit }),
    routes: [
      { method: 'GET', path: '/.well-known/jwks.json', handler: () => ({ status: 200, json: issuer.jwks }) },
      {
        method: 'GET',
        path: '/steps/',
        prefix: true,
        handler: (request) => ({ status: 200, json: { step: request.url.pathname.slice('/steps/'.length) } }),
      },
      { method: 'GET', path: '/steps/fixed', handler: () => ({ status: 200, json: { exact: true } }) },
    ],
    maxBodyBytes: 2048,
    logger,
    health: () => {
      if (!healthy) throw new Error('database unreachable');
    },
  });
  url = await server.listen(0);
});

afterAll(async () => {
  await server.close();
});

interface GraphQLResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions: Record<string, unknown> }[];
}

async function graphql(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResult,
  };
}

const readAddress = `{ resident(fiscalCode: "${OWNER}") { fiscalCode address } }`;

describe('createServiceServer', () => {
  it('listens on the loopback interface and returns its base URL', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves an anonymous request for the default comune, or the one in x-comune', async () => {
    const plain = await graphql('{ me { kind comune requestId } }');
    expect(plain.status).toBe(200);
    expect(plain.body.data?.me).toEqual({
      kind: 'anonymous',
      comune: ROMA,
      requestId: plain.headers.get('x-request-id'),
    });
    const milano = await graphql('{ me { kind comune } }', { 'x-comune': '015146' });
    expect(milano.body.data?.me).toEqual({ kind: 'anonymous', comune: '015146' });
  });

  it('keeps a well-formed incoming request id and replaces a malformed one', async () => {
    const kept = await graphql('{ me { requestId } }', { 'x-request-id': 'gw-42' });
    expect(kept.headers.get('x-request-id')).toBe('gw-42');
    expect(kept.body.data?.me).toEqual({ requestId: 'gw-42' });
    const replaced = await graphql('{ me { requestId } }', { 'x-request-id': 'bad id with spaces' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('verifies the bearer token: a citizen reads their own address, not someone else', async () => {
    const own = await graphql(readAddress, { authorization: await issuer.bearer(citizen) });
    expect(own.body).toEqual({
      data: { resident: { fiscalCode: OWNER, address: 'Via dei Fori Imperiali 1' } },
    });

    const other = await graphql(readAddress, { authorization: await issuer.bearer(stranger) });
    expect(other.body.data).toEqual({ resident: { fiscalCode: OWNER, address: null } });
    expect(other.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ALLOWED' });
  });

  it('lets the anagrafe office read and audits it; other offices are refused', async () => {
    const before = audit.entries.length;
    const read = await graphql(readAddress, { authorization: await issuer.bearer(clerk) });
    expect(read.body.data).toEqual({ resident: { fiscalCode: OWNER, address: 'Via dei Fori Imperiali 1' } });
    expect(audit.entries.slice(before)).toEqual([
      expect.objectContaining({
        actor: 'staff:clerk',
        resource: 'Resident.address',
        subjectFiscalCode: OWNER,
        comune: ROMA,
      }),
    ]);

    const refused = await graphql(readAddress, { authorization: await issuer.bearer(taxOfficer) });
    expect(refused.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(audit.entries.length).toBe(before + 1);
  });

  it('answers a bad token with 401, the reason and a WWW-Authenticate challenge', async () => {
    const expired = await graphql('{ me { kind } }', {
      authorization: `Bearer ${await issuer.badToken('expired', citizen)}`,
    });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="TOKEN_EXPIRED"',
    );
    expect(expired.body.errors).toEqual([
      {
        message: 'The access token has expired: obtain a new one.',
        extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' },
      },
    ]);
    const confused = await graphql('{ me { kind } }', {
      authorization: `Bearer ${await issuer.badToken('alg-confusion', citizen)}`,
    });
    expect(confused.status).toBe(401);
    expect(confused.body.errors?.[0]?.extensions.reason).toBe('ALGORITHM_NOT_ALLOWED');
  });

  it('refuses an x-comune that contradicts the token, and a malformed one', async () => {
    const mismatch = await graphql('{ me { kind } }', {
      authorization: await issuer.bearer(citizen),
      'x-comune': '015146',
    });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'COMUNE_MISMATCH' });
    const malformed = await graphql('{ me { kind } }', { 'x-comune': 'Roma' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'x-comune' });
  });

  it('masks unexpected errors behind the request id and logs the details', async () => {
    const crashed = await graphql('{ crash }', { 'x-request-id': 'req-crash-1' });
    expect(crashed.body.errors).toEqual([
      {
        message: 'Internal server error. Quote request id req-crash-1 when reporting it.',
        locations: [{ line: 1, column: 3 }],
        path: ['crash'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-crash-1' },
      },
    ]);
    expect(logLines.join('')).toMatch(
      /"requestId":"req-crash-1".*database exploded while loading RSS\*{11}1U/,
    );
  });

  it('serves GET queries (with a CSRF preflight header) and the federation SDL', async () => {
    const query = encodeURIComponent('{ _service { sdl } }');
    const response = await fetch(`${url}/graphql?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { _service: { sdl: string } } };
    expect(body.data._service.sdl).toContain('type Resident');
  });

  it('rejects a body over maxBodyBytes with 413, by declared length and while streaming', async () => {
    const big = JSON.stringify({ query: `{ me { kind } } # ${'x'.repeat(4096)}` });
    const declared = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({
      errors: [
        {
          message: 'Request body exceeds the limit of 2048 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });

    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // No content-length: chunked, so only counting the bytes can catch it.
      for (let i = 0; i < 5; i++) req.write(big.slice(i * 1000, (i + 1) * 1000));
      req.end(big.slice(5000));
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body).toContain('PAYLOAD_TOO_LARGE');
  });

  it('accepts only JSON GraphQL requests', async () => {
    const form = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{ me { kind } }',
    });
    expect(form.status).toBe(415);
    const broken = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    const put = await fetch(`${url}/graphql`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('serves extra routes, 405 for another method on them, 404 elsewhere', async () => {
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('content-type')).toContain('application/json');
    expect(await jwks.json()).toEqual(issuer.jwks);
    const post = await fetch(`${url}/.well-known/jwks.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  });

  it('serves every path under a prefix route, an exact route first, and not the bare prefix', async () => {
    expect(await (await fetch(`${url}/steps/abc/next`)).json()).toEqual({ step: 'abc/next' });
    expect(await (await fetch(`${url}/steps/fixed`)).json()).toEqual({ exact: true });
    expect((await fetch(`${url}/steps/`)).status).toBe(404);
    expect((await fetch(`${url}/steps/abc`, { method: 'POST' })).status).toBe(405);
  });

  it('reports health, 503 when the check fails', async () => {
    const ok = await fetch(`${url}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });
    healthy = false;
    try {
      const down = await fetch(`${url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable' });
    } finally {
      healthy = true;
    }
  });

  it('never logs the fiscal codes it served', () => {
    expect(logLines.join('')).not.toContain(OWNER);
  });
});

describe('createRequestContextFactory with a database', () => {
  let dir: string;
  let database: Database;
  let dbServer: ServiceServer;
  let dbUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sportello-http-'));
    database = await createDatabase({
      service: 'http-test',
      driver: 'sqlite',
      sqlitePath: join(dir, 'test.db'),
      entities: [],
      migrations: { sqlite: [], postgresql: [] },
    });
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks });
    dbServer = createServiceServer({
      name: 'db-test',
      apollo: new ApolloServer<DatabaseRequestContext>({
        typeDefs: 'type Query { scope: String }',
        resolvers: {
          Query: {
            scope: (_: unknown, __: unknown, ctx: DatabaseRequestContext) =>
              ctx.em.getFilterParams<{ comune: string }>('tenant')?.comune ?? null,
          },
        },
      }),
      context: createRequestContextFactory({ verifier, defaultComune: ROMA, logger, database }),
      logger,
    });
    dbUrl = await dbServer.listen(0);
  });

  afterAll(async () => {
    await dbServer.close();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each request an EntityManager scoped to its comune', async () => {
    const ask = async (headers: Record<string, string>) => {
      const response = await fetch(`${dbUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ scope }' }),
      });
      return ((await response.json()) as { data: { scope: string } }).data.scope;
    };
    expect(await ask({})).toBe(ROMA);
    expect(await ask({ 'x-comune': '015146' })).toBe('015146');
    expect(await ask({ authorization: await issuer.bearer({ ...clerk, comune: '001272' }) })).toBe('001272');
  });
});

describe('createServiceServer behind the trust boundary', () => {
  const SECRET = 'the-deployment-internal-secret-0123456789';
  const gateway = createInternalAssertions({ secret: SECRET, caller: 'gateway' });
  let bounded: ServiceServer;
  let boundedUrl: string;

  beforeAll(async () => {
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks });
    bounded = createServiceServer({
      name: 'anagrafe',
      apollo: new ApolloServer<RequestContext>({
        schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
        logger,
      }),
      context: createRequestContextFactory({ verifier, defaultComune: ROMA, logger, audit }),
      routes: [
        { method: 'GET', path: '/certificates/verify', handler: () => ({ status: 200, json: { ok: true } }) },
      ],
      logger,
      internal: createInternalAssertions({ secret: SECRET, caller: 'anagrafe' }),
    });
    boundedUrl = await bounded.listen(0);
  });

  afterAll(async () => {
    await bounded.close();
  });

  const call = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${boundedUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    });

  it("refuses a caller that skipped the gateway with 401, even with a valid citizen's token", async () => {
    const direct = await call(
      '/graphql',
      { authorization: await issuer.bearer(citizen) },
      JSON.stringify({ query: readAddress }),
    );
    expect(direct.status).toBe(401);
    const body = (await direct.json()) as GraphQLResult;
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'INTERNAL_ASSERTION_REQUIRED',
    });
    // Federation's own fields and introspection are behind it too.
    const sdl = await call('/graphql', {}, JSON.stringify({ query: '{ _service { sdl } }' }));
    expect(sdl.status).toBe(401);
    const forged = await call(
      '/graphql',
      { 'x-sportello-internal': 'forged.assertion.value' },
      JSON.stringify({ query: '{ __typename }' }),
    );
    expect(((await forged.json()) as GraphQLResult).errors?.[0]?.extensions['reason']).toBe(
      'INTERNAL_ASSERTION_INVALID',
    );
    // Routes beside GraphQL as well.
    expect((await call('/certificates/verify', {})).status).toBe(401);
    expect(logLines.some((line) => line.includes('refused at the trust boundary'))).toBe(true);
  });

  it("answers the gateway's requests, still checking the end user's token", async () => {
    const own = await call(
      '/graphql',
      { ...gateway.headers(), authorization: await issuer.bearer(citizen) },
      JSON.stringify({ query: readAddress }),
    );
    expect(own.status).toBe(200);
    expect(((await own.json()) as GraphQLResult).data?.resident).toEqual({
      fiscalCode: OWNER,
      address: 'Via dei Fori Imperiali 1',
    });
    const badToken = await call(
      '/graphql',
      { ...gateway.headers(), authorization: 'Bearer nope' },
      JSON.stringify({ query: '{ __typename }' }),
    );
    expect(badToken.status).toBe(401);
    expect(((await badToken.json()) as GraphQLResult).errors?.[0]?.extensions['reason']).toBe(
      'MALFORMED_TOKEN',
    );
    expect((await call('/certificates/verify', gateway.headers())).status).toBe(200);
  });

  it('keeps the probes open to orchestrators and scrapers: /health, /ready, /metrics', async () => {
    expect((await call('/health', {})).status).toBe(200);
    expect((await call('/ready', {})).status).toBe(200);
    // This server has no metrics registry: not found, but not refused at the boundary.
    expect((await call('/metrics', {})).status).toBe(404);
  });
});

describe('HEAD on a GET route', () => {
  it('answers with the headers of GET and no body (feed readers ask before they fetch)', async () => {
    const head = await fetch(`${url}/.well-known/jwks.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('application/json');
    expect(await head.text()).toBe('');
    const wrong = await fetch(`${url}/.well-known/jwks.json`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });
});
