/**
 * A small Sportello client for third-party apps, with nothing but `fetch`, `node:crypto` and
 * graphql-ws: discovery, client credentials, authorization code with PKCE, GraphQL over HTTP with
 * Sportello's errors turned into exceptions you can act on, and live subscriptions.
 *
 * Run against a local hub (`npm start`), with the demo app that hub seeds:
 *
 *   node docs/examples/client.ts http://127.0.0.1:4000/graphql http://127.0.0.1:4000
 *
 * (Node 24 runs TypeScript files directly.) The end-to-end test `test/client-example.e2e.ts` runs
 * these functions against a real hub.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';

/** The OpenID Connect endpoints of a Sportello identity service. */
export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  scopes_supported?: string[];
}

/** What the token endpoint answers. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
}

/** A registered app's credentials. */
export interface AppCredentials {
  clientId: string;
  /** Only for confidential apps (servers); browser and mobile apps use PKCE alone. */
  clientSecret?: string;
}

/** An OAuth error from the token endpoint (RFC 6749: `invalid_client`, `invalid_grant`...). */
export class OAuthError extends Error {
  readonly error: string;
  readonly description: string | undefined;
  readonly status: number;

  constructor(error: string, description: string | undefined, status: number) {
    super(`${error}${description ? `: ${description}` : ''} (HTTP ${status})`);
    this.name = 'OAuthError';
    this.error = error;
    this.description = description;
    this.status = status;
  }
}

/** One GraphQL error as Sportello sends it. */
export interface SportelloGraphQLError {
  message: string;
  path?: Array<string | number>;
  extensions?: {
    /** UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT, RATE_LIMITED... */
    code?: string;
    /** Why a token was refused (TOKEN_EXPIRED, WRONG_AUDIENCE, CLIENT_REVOKED...). */
    reason?: string;
    /** The input field at fault (BAD_USER_INPUT). */
    field?: string;
    /** The limit a request went over: `{ name, max, actual? }`. */
    limit?: { name: string; max: number; actual?: number };
    retryAfterSeconds?: number;
    [key: string]: unknown;
  };
}

/**
 * A request the gateway refused as a whole (no data at all): HTTP 401, 413, 429, 400 on a limit.
 * `retryAfterSeconds` comes from the `Retry-After` header of a 429.
 */
export class SportelloRequestError extends Error {
  readonly status: number;
  readonly errors: SportelloGraphQLError[];
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, errors: SportelloGraphQLError[], retryAfterSeconds: number | undefined) {
    super(errors.map((error) => error.message).join('; ') || `HTTP ${status}`);
    this.name = 'SportelloRequestError';
    this.status = status;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The first error's `extensions.code`. */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** A GraphQL answer: data, possibly partial, and the errors of the fields that failed. */
export interface GraphQLResult<T> {
  data: T | null;
  errors: SportelloGraphQLError[];
}

/** Reads the identity service's OpenID configuration. */
export async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(new URL('/.well-known/openid-configuration', issuer));
  if (!response.ok) throw new Error(`discovery at ${issuer}: HTTP ${response.status}`);
  return (await response.json()) as Discovery;
}

async function tokenRequest(
  discovery: Discovery,
  credentials: AppCredentials,
  fields: Record<string, string>,
): Promise<TokenResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(fields);
  if (credentials.clientSecret !== undefined) {
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
    ).toString('base64');
    headers.authorization = `Basic ${basic}`;
  } else {
    body.set('client_id', credentials.clientId);
  }
  const response = await fetch(discovery.token_endpoint, { method: 'POST', headers, body });
  const answer = (await response.json()) as TokenResponse & { error?: string; error_description?: string };
  if (!response.ok || answer.error !== undefined) {
    throw new OAuthError(answer.error ?? 'server_error', answer.error_description, response.status);
  }
  return answer;
}

/**
 * Client credentials: a token for the app itself (public data, and whatever its scopes allow
 * without a citizen). Ask for fewer scopes than registered with `scopes`.
 * @throws {OAuthError} `invalid_client` for a wrong secret or a revoked app, `invalid_scope`.
 */
export function clientCredentialsToken(
  discovery: Discovery,
  credentials: AppCredentials,
  scopes?: string[],
): Promise<TokenResponse> {
  return tokenRequest(discovery, credentials, {
    grant_type: 'client_credentials',
    ...(scopes ? { scope: scopes.join(' ') } : {}),
  });
}

/** A PKCE verifier and its S256 challenge (RFC 7636). Keep the verifier until the code comes back. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Where to send the citizen's browser to sign in and consent. */
export function authorizationUrl(
  discovery: Discovery,
  request: {
    clientId: string;
    redirectUri: string;
    scopes: string[];
    state: string;
    challenge: string;
    /** Demo mode only: skip the login page for this fiscal code. */
    loginHint?: string;
  },
): URL {
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    ...(request.loginHint ? { login_hint: request.loginHint } : {}),
  }).toString();
  return url;
}

/**
 * The code from the redirect, once the `state` is checked.
 * @throws {OAuthError} when the citizen denied access or the state does not match.
 */
export function codeFromRedirect(redirect: URL, expectedState: string): string {
  const error = redirect.searchParams.get('error');
  if (error !== null) {
    throw new OAuthError(error, redirect.searchParams.get('error_description') ?? undefined, 302);
  }
  if (redirect.searchParams.get('state') !== expectedState) {
    throw new OAuthError('invalid_request', 'the state does not match: ignore this redirect', 302);
  }
  const code = redirect.searchParams.get('code');
  if (code === null) throw new OAuthError('invalid_request', 'the redirect carries no code', 302);
  return code;
}

/**
 * Exchanges the code for a token acting for the citizen, within the scopes they granted.
 * @throws {OAuthError} `invalid_grant` for a used, expired or foreign code or a wrong verifier.
 */
export function exchangeCode(
  discovery: Discovery,
  credentials: AppCredentials,
  exchange: { code: string; verifier: string; redirectUri: string },
): Promise<TokenResponse> {
  return tokenRequest(discovery, credentials, {
    grant_type: 'authorization_code',
    code: exchange.code,
    code_verifier: exchange.verifier,
    redirect_uri: exchange.redirectUri,
  });
}

/** Options of one GraphQL request. */
export interface RequestOptions {
  variables?: Record<string, unknown>;
  /** Bearer token; none for anonymous (public) data. */
  token?: string;
  /** ISTAT code of the comune, for anonymous requests (tokens carry their comune). */
  comune?: string;
}

/**
 * Sends a GraphQL operation. Field errors come back in `errors` beside partial `data`; a request
 * refused as a whole throws.
 * @throws {SportelloRequestError} on 401 (bad token), 413 (body too large), 429 (rate limit, with
 * `retryAfterSeconds`) and 400 (a limit or a malformed document).
 */
export async function request<T>(
  endpoint: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.comune ? { 'x-comune': options.comune } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: SportelloGraphQLError[] };
  if (body.data === undefined || (!response.ok && !body.data)) {
    const retryAfter = response.headers.get('retry-after');
    throw new SportelloRequestError(
      response.status,
      body.errors ?? [],
      retryAfter === null ? undefined : Number(retryAfter),
    );
  }
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/**
 * Like {@link request}, but waits and tries again (up to `attempts` times) when the gateway says
 * 429, for as long as its `Retry-After` says.
 */
export async function requestWithRetry<T>(
  endpoint: string,
  query: string,
  options: RequestOptions & { attempts?: number } = {},
): Promise<GraphQLResult<T>> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request<T>(endpoint, query, options);
    } catch (error) {
      const limited = error instanceof SportelloRequestError && error.status === 429;
      if (!limited || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, (error.retryAfterSeconds ?? 1) * 1000));
    }
  }
}

/**
 * Opens a live subscription over graphql-ws on the GraphQL endpoint (`ws://` or `wss://`) and calls
 * `onData` for each event. Returns a function that ends it.
 */
export function subscribe<T>(
  endpoint: string,
  query: string,
  handlers: {
    onData(data: T): void;
    onError?(errors: unknown): void;
    /** Bearer token; none for public subscriptions. */
    token?: string;
    /** ISTAT code of the comune, for anonymous subscribers. */
    comune?: string;
  },
): () => Promise<void> {
  const client = createClient({
    url: endpoint.replace(/^http/, 'ws'),
    connectionParams: {
      ...(handlers.token ? { authorization: `Bearer ${handlers.token}` } : {}),
      ...(handlers.comune ? { comune: handlers.comune } : {}),
    },
    lazy: false,
    retryAttempts: 3,
  });
  const stop = client.subscribe<T>(
    { query },
    {
      next: (value) => {
        if (value.errors) handlers.onError?.(value.errors);
        if (value.data) handlers.onData(value.data as T);
      },
      error: (error) => handlers.onError?.(error),
      complete: () => undefined,
    },
  );
  return async () => {
    stop();
    await client.dispose();
  };
}

/** The demo app every demo hub has (public knowledge: demo only). */
export const DEMO_APP = {
  clientId: 'demo-app',
  clientSecret: 'demo-app-secret',
  redirectUri: 'http://localhost:5173/callback',
} as const;

/* eslint-disable no-console -- the example prints what it gets */

/** Public data with an app token, then the app's view of what it may and may not read. */
async function main(endpoint: string, issuer: string): Promise<void> {
  const discovery = await discover(issuer);
  const app = await clientCredentialsToken(discovery, DEMO_APP);
  console.log(`app token: scopes "${app.scope ?? ''}", valid ${app.expires_in} s`);

  const alerts = await request<{
    activeAlerts: { nodes: Array<{ id: string; colour: string; headline: string }> };
  }>(endpoint, '{ activeAlerts { nodes { id colour headline } } emergencyNumbers { number label } }', {
    token: app.access_token,
  });
  console.log('active alerts:', alerts.data?.activeAlerts.nodes);

  const mine = await request(endpoint, '{ me { givenName } }', { token: app.access_token });
  console.log('an app without a citizen reads nobody:', mine.errors[0]?.extensions?.code);

  const { challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  console.log(
    'send the citizen to:',
    authorizationUrl(discovery, {
      clientId: DEMO_APP.clientId,
      redirectUri: DEMO_APP.redirectUri,
      scopes: ['openid', 'profile', 'tributi'],
      state,
      challenge,
    }).href,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [endpoint = 'http://127.0.0.1:4000/graphql', issuer = 'http://127.0.0.1:4000'] =
    process.argv.slice(2);
  await main(endpoint, issuer);
}
