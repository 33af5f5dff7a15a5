/** What the gateway tells the dashboard at `/dashboard/config.json`. */
export interface DashboardSettings {
  /** Identity's base URL: `/oauth/authorize` and `/oauth/token` live there. */
  issuer: string;
  clientId: string;
}

/** A staff member's access token and what the dashboard reads from it. */
export interface Session {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  username: string;
  offices: string[];
  comune: string;
}

/** The sign-in did not complete; the message says why, for the person. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

const SESSION_KEY = 'sportello.dashboard.session';
const FLOW_KEY = 'sportello.dashboard.flow';
export const CALLBACK_PATH = '/dashboard/callback';

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

/**
 * Starts the OpenID Connect authorization code flow with PKCE (S256): the verifier stays in this
 * tab's session storage, only its digest travels to identity.
 */
export async function signIn(settings: DashboardSettings): Promise<void> {
  const verifier = randomToken();
  const state = randomToken();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state }));
  const url = new URL('/oauth/authorize', settings.issuer);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    state,
    code_challenge: base64url(digest),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/**
 * Finishes the flow on the callback page: checks the state, redeems the code with the verifier and
 * keeps the token for this tab.
 * @throws {SignInError} when identity refused or the answer does not belong to this tab's flow.
 */
export async function completeSignIn(settings: DashboardSettings, callback: URL): Promise<Session> {
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(FLOW_KEY);
  const error = callback.searchParams.get('error');
  if (error) throw new SignInError(callback.searchParams.get('error_description') ?? error);
  const code = callback.searchParams.get('code');
  if (!flow || !code || callback.searchParams.get('state') !== flow.state) {
    throw new SignInError('this sign-in was not started here or has already been used');
  }
  const response = await fetch(new URL('/oauth/token', settings.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: flow.verifier,
      client_id: settings.clientId,
      redirect_uri: redirectUri(),
    }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    expires_in?: number;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new SignInError(body.error_description ?? `identity answered ${response.status}`);
  }
  const session = sessionOf(body.access_token, body.expires_in ?? 900);
  if (!session) throw new SignInError('identity did not issue a staff token: sign in as a staff member');
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** The signed-in session of this tab, while its token is valid. */
export function currentSession(): Session | undefined {
  const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
  if (!session || session.expiresAt <= Date.now()) return undefined;
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * Reads the claims the dashboard shows (who, which offices). The gateway verifies the token on
 * every request; the dashboard only needs to know what to display.
 */
function sessionOf(accessToken: string, expiresIn: number): Session | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(
    new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))),
  ) as Record<string, unknown>;
  if (claims['kind'] !== 'staff') return undefined;
  return {
    accessToken,
    // A little early: a request must not leave with a token that expires on the way.
    expiresAt: Date.now() + (expiresIn - 10) * 1000,
    username: String(claims['sub'] ?? ''),
    offices: Array.isArray(claims['offices']) ? claims['offices'].map(String) : [],
    comune: String(claims['comune'] ?? ''),
  };
}
