import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printSubgraphSchema } from '@apollo/subgraph';
import { createIdentity, loadIdentityConfig, seedIdentity, type IdentityHandle } from '@sportello/identity';
import {
  createInProcessBus,
  createLogger,
  createTokenVerifier,
  type EventBus,
  type TokenVerifier,
} from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientCredentialsToken } from '@sportello/test-support';
import { composeSupergraph } from '../composition/compose-supergraph.js';
import { createGateway, type GatewayHandle } from '../gateway.js';

const COMUNE = '001272';
const logger = createLogger({ name: 'gateway-revocations', level: 'silent' });

let dir: string;
let bus: EventBus;
let identity: IdentityHandle;
let identityUrl: string;
let supergraphSdl: string;
let verifier: TokenVerifier;
let admin: string;
const gateways: GatewayHandle[] = [];

interface Answer {
  status: number;
  authenticate: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { extensions?: Record<string, unknown> }[] };
}

async function call(url: string, query: string, token?: string, variables: object = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    authenticate: response.headers.get('www-authenticate'),
    body: (await response.json()) as Answer['body'],
  };
}

async function startGateway(options: { withBus: boolean }): Promise<string> {
  const gateway = await createGateway(
    {
      supergraphSdl,
      subgraphUrls: { identity: `${identityUrl}/graphql` },
      revocations: { listUrl: `${identityUrl}/internal/revocations` },
    },
    { verifier, logger, ...(options.withBus ? { bus } : {}) },
  );
  gateways.push(gateway);
  return gateway.listen(0);
}

/** Registers a confidential app through the gateway and gets it a client-credentials token. */
async function appWithToken(gatewayUrl: string, name: string): Promise<{ clientId: string; token: string }> {
  const registered = await call(
    gatewayUrl,
    `mutation ($input: RegisterApiClientInput!) { registerApiClient(input: $input) { clientSecret client { clientId } } }`,
    admin,
    { input: { name, scopes: ['OPENID'], redirectUris: [], rateLimitPerMinute: 600, confidential: true } },
  );
  expect(registered.body.errors).toBeUndefined();
  const { clientSecret, client } = registered.body.data?.registerApiClient as {
    clientSecret: string;
    client: { clientId: string };
  };
  const token = await clientCredentialsToken(identityUrl, { clientId: client.clientId, clientSecret });
  return { clientId: client.clientId, token };
}

const PUBLIC_QUERY = '{ oauthScopes }';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gateway-revocations-'));
  bus = createInProcessBus();
  const config = loadIdentityConfig({
    SPORTELLO_MODE: 'demo',
    LOG_LEVEL: 'silent',
    COMUNE,
    DATABASE_URL: join(dir, 'identity.db'),
    TOKEN_ISSUER: 'http://identity.test',
    TOKEN_AUDIENCE: 'sportello-api',
  });
  identity = await createIdentity(config, { bus, logger });
  await seedIdentity(identity.database.fork({ comune: COMUNE }), {
    comune: COMUNE,
    citizens: [],
    staff: [{ username: 'admin.neri', displayName: 'Sara Neri', offices: ['admin'] }],
  });
  identityUrl = await identity.listen(0);
  ({ supergraphSdl } = composeSupergraph([{ name: 'identity', sdl: printSubgraphSchema(identity.schema) }]));
  verifier = createTokenVerifier({
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    jwks: new URL(`${identityUrl}/.well-known/jwks.json`),
  });
  const dev = await fetch(`${identityUrl}/auth/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'admin.neri' }),
  });
  admin = ((await dev.json()) as { access_token: string }).access_token;
}, 30_000);

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await identity?.close();
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('revoked API clients at the gateway', () => {
  let revokedApp: { clientId: string; token: string };
  let otherApp: { clientId: string; token: string };

  it('refuses a revoked client’s existing token as soon as identity revokes it, and serves the others', async () => {
    const gatewayUrl = await startGateway({ withBus: true });
    revokedApp = await appWithToken(gatewayUrl, 'Bus times');
    otherApp = await appWithToken(gatewayUrl, 'Waste calendar');
    expect((await call(gatewayUrl, PUBLIC_QUERY, revokedApp.token)).body.data?.oauthScopes).toContain(
      'OPENID',
    );

    const revoked = await call(
      gatewayUrl,
      'mutation ($id: String!) { revokeApiClient(clientId: $id) { revokedAt } }',
      admin,
      { id: revokedApp.clientId },
    );
    expect(revoked.body.errors).toBeUndefined();

    // The event travels through identity's outbox, nudged at once after the mutation.
    // (identity itself may refuse it first, also with a 401: wait for the gateway's own refusal)
    const refused = await vi.waitFor(
      async () => {
        const answer = await call(gatewayUrl, PUBLIC_QUERY, revokedApp.token);
        const byGateway =
          answer.status === 401 && answer.body.errors?.[0]?.extensions?.['serviceName'] === undefined;
        if (!byGateway) throw new Error(`not refused by the gateway yet (${answer.status})`);
        return answer;
      },
      { timeout: 15_000, interval: 25 },
    );
    // Refused by the gateway itself, before any subgraph is asked.
    expect(refused.status).toBe(401);
    expect(refused.authenticate).toBe('Bearer');
    expect(refused.body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'CLIENT_REVOKED',
    });

    const served = await call(gatewayUrl, PUBLIC_QUERY, otherApp.token);
    expect(served.status).toBe(200);
    expect(served.body.data?.oauthScopes).toContain('OPENID');
  });

  it('refuses it from the start in a gateway that boots after the revocation, with no bus event', async () => {
    const gatewayUrl = await startGateway({ withBus: false });
    const refused = await call(gatewayUrl, PUBLIC_QUERY, revokedApp.token);
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ reason: 'CLIENT_REVOKED' });
    expect((await call(gatewayUrl, PUBLIC_QUERY, otherApp.token)).status).toBe(200);
  });

  it('still starts when the list cannot be read, and serves', async () => {
    const gateway = await createGateway(
      {
        supergraphSdl,
        subgraphUrls: { identity: `${identityUrl}/graphql` },
        revocations: { listUrl: 'http://127.0.0.1:9/internal/revocations' },
      },
      { verifier, logger },
    );
    gateways.push(gateway);
    const url = await gateway.listen(0);
    expect((await call(url, PUBLIC_QUERY, otherApp.token)).status).toBe(200);
  });
});
