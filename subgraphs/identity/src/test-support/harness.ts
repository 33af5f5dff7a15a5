import { createInProcessBus, createLogger, type DatabaseDriver, type EventBus } from '@sportello/platform';
import {
  createTestDatabase,
  postGraphQL,
  serviceTestCoreConfig,
  type GraphQLAnswer,
} from '@sportello/test-support';
import type { IdentityConfig } from '../config.js';
import {
  createIdentity,
  IDENTITY_ENTITIES,
  seedIdentity,
  type IdentityDeps,
  type IdentityHandle,
  type IdentitySeed,
} from '../index.js';
import { migrations as postgresqlMigrations } from '../migrations/postgresql/index.js';
import { migrations as sqliteMigrations } from '../migrations/sqlite/index.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { s256Challenge } from '../domain/pkce.js';
import { TestBrowser } from './browser.js';

export const COMUNE = '001272';
export const MARIO = 'RSSMRA80A01H501U';
export const CHIARA = 'CNTCHR83T41D969D';
export const CHILD = 'RCCMNL83S18D969H';
/** Where the seeded staff dashboard client is redirected after sign-in. */
export const DASHBOARD_REDIRECT = 'http://127.0.0.1:4000/dashboard/callback';

export const SEED: IdentitySeed = {
  comune: COMUNE,
  citizens: [
    {
      fiscalCode: MARIO,
      givenName: 'Mario',
      familyName: 'Rossi',
      email: 'mario@example.org',
      emailVerified: true,
    },
    { fiscalCode: CHIARA, givenName: 'Chiara', familyName: 'Conti', email: 'chiara@example.org' },
    { fiscalCode: CHILD, givenName: 'Emanuele', familyName: 'Rocco' },
  ],
  staff: [
    { username: 'anagrafe.bianchi', displayName: 'Anna Bianchi', offices: ['anagrafe'] },
    { username: 'tributi.verdi', displayName: 'Luca Verdi', offices: ['tributi'] },
    { username: 'admin.neri', displayName: 'Sara Neri', offices: ['admin'] },
  ],
  delegations: [{ delegator: CHILD, delegate: MARIO, kind: 'minor-child' }],
  dashboardRedirectUris: [DASHBOARD_REDIRECT],
};

/** A running identity service on loopback with the demo seed, and helpers to call it. */
export interface TestIdentity {
  url: string;
  identity: IdentityHandle;
  bus: EventBus;
  graphql(
    query: string,
    options?: { token?: string; variables?: Record<string, unknown> },
  ): Promise<GraphQLAnswer>;
  devToken(body: Record<string, string>): Promise<string>;
  post(path: string, body: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** What a Sportello service (the notifier, an internal client) learns of a token by introspecting it. */
  introspect(token: string): Promise<Record<string, unknown>>;
  /** Redeems an authorization code at the token endpoint, as the app `clientId` (with its secret, if any). */
  redeemCode(redemption: CodeRedemption): Promise<Response>;
  /** Runs the authorization code flow with PKCE for a citizen through the demo login and consent. */
  authorizationCode(clientId: string, fiscalCode: string, scope: string, secret?: string): Promise<string>;
  close(): Promise<void>;
}

/** What an app sends to redeem an authorization code (PKCE). */
export interface CodeRedemption {
  code: string;
  verifier: string;
  clientId: string;
  redirectUri: string;
  /** A confidential app's secret. */
  secret?: string;
}

export type { GraphQLAnswer };

export function testConfig(overrides: Partial<IdentityConfig> = {}): IdentityConfig {
  return {
    ...serviceTestCoreConfig({
      comune: COMUNE,
      comuneName: 'Borgo Sereno',
      issuer: 'http://identity.test',
      database: { driver: 'sqlite', url: ':memory:' },
    }),
    // Identity issues the tokens: its public origin is their issuer.
    publicUrl: 'http://identity.test',
    accessTokenTtlSeconds: 900,
    signingKeyRotationSeconds: 30 * 86_400,
    telegramBotUsername: 'SportelloTestBot',
    upstream: null,
    internalClients: [
      { clientId: 'sportello-notifier', service: 'notifier', secret: 'notifier-secret-for-tests' },
    ],
    // Tests run the delegation-ends job themselves, at the time they choose.
    delegationJobIntervalMinutes: 0,
    ...overrides,
  };
}

/** Starts identity on a fresh database of the driver (a temp SQLite file or a throw-away PostgreSQL database). */
export async function startIdentity(
  overrides: Partial<IdentityConfig> = {},
  driver: DatabaseDriver = 'sqlite',
  /** A bus shared with other services of the test (closed by its owner); by default one of its own. */
  sharedBus?: EventBus,
  /** Further dependencies: the clock delegations are judged by, anagrafe's families. */
  deps: Pick<IdentityDeps, 'clock' | 'registry'> = {},
): Promise<TestIdentity> {
  const testDatabase = await createTestDatabase({
    service: 'identity',
    driver,
    entities: IDENTITY_ENTITIES,
    migrations: { sqlite: sqliteMigrations, postgresql: postgresqlMigrations },
    migrate: false,
  });
  const config = testConfig(overrides);
  const logger = createLogger({ name: 'identity-test', level: 'silent' });
  const bus = sharedBus ?? createInProcessBus();
  const identity = await createIdentity(config, { bus, logger, database: testDatabase.database, ...deps });
  await seedIdentity(identity.database.fork({ comune: COMUNE }), SEED);
  const url = await identity.listen(0);

  const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
      redirect: 'manual',
    });

  const redeemCode = ({ code, verifier, clientId, redirectUri, secret }: CodeRedemption) =>
    post('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: clientId,
      ...(secret ? { client_secret: secret } : {}),
    });

  return {
    url,
    identity,
    bus,
    post,
    redeemCode,
    async introspect(token) {
      const notifier = config.internalClients.find((client) => client.service === 'notifier');
      if (notifier === undefined) throw new Error('introspect: no notifier among the internal clients');
      const credentials = Buffer.from(`${notifier.clientId}:${notifier.secret}`).toString('base64');
      const answer = await post('/oauth/introspect', { token }, { authorization: `Basic ${credentials}` });
      return (await answer.json()) as Record<string, unknown>;
    },
    graphql(query, options = {}) {
      return postGraphQL(`${url}/graphql`, query, {
        variables: options.variables,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      });
    },
    async devToken(body) {
      const response = await fetch(`${url}/auth/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`dev token: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    async authorizationCode(clientId, fiscalCode, scope, secret) {
      const verifier = generateOneTimeToken();
      const redirectUri = 'http://localhost:5173/callback';
      const authorize = new URL(`${url}/oauth/authorize`);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope,
        state: 'xyz',
        code_challenge: s256Challenge(verifier),
        code_challenge_method: 'S256',
        login_hint: fiscalCode,
      }).toString();
      const browser = new TestBrowser();
      const answer = await browser.followSignIn(authorize.href.replace(url, config.tokenIssuer), {
        serviceUrl: url,
        issuer: config.tokenIssuer,
        stopAt: redirectUri,
        fields: { decision: 'allow' },
      });
      const location = new URL(answer.headers.get('location') ?? '');
      const code = location.searchParams.get('code');
      if (code === null || location.searchParams.get('state') !== 'xyz')
        throw new Error(`no code: ${location.toString()}`);
      const token = await redeemCode({ code, verifier, clientId, redirectUri, secret });
      if (token.status !== 200) throw new Error(`token: ${token.status} ${await token.text()}`);
      return ((await token.json()) as { access_token: string }).access_token;
    },
    async close() {
      await identity.close();
      if (sharedBus === undefined) await bus.close();
      await testDatabase.dispose();
    },
  };
}
