/** What the gateway tells the dashboard at `/dashboard/config.json`. */
export interface DashboardSettings {
  /** Identity's base URL: `/oauth/authorize` and `/oauth/token` live there. */
  issuer: string;
  clientId: string;
  /** A clerk who does nothing for this long is signed out. @default 1800 */
  idleSeconds?: number;
}

/** A staff member's tokens and what the dashboard reads from them. */
export interface Session {
  accessToken: string;
  /**
   * Rotating: every refresh replaces it (identity refuses a used one and ends the sign-in). Kept in
   * this tab's session storage only, never in local storage: no other tab or later visit sees it.
   */
  refreshToken?: string;
  /** Epoch milliseconds, a little before the token's real end. */
  expiresAt: number;
  /** When this access token was issued (epoch milliseconds). */
  issuedAt: number;
  username: string;
  offices: string[];
  comune: string;
}

/** The sign-in did not complete; the message says why, for the person. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/**
 * Identity refused to renew the session (refresh token expired, revoked or reused, clerk disabled):
 * the clerk must sign in again.
 */
export class SessionEndedError extends Error {
  override readonly name = 'SessionEndedError';
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
    // A clerk signs in afresh each time (dashboards run on shared desks): a sign-in left at
    // identity by the previous clerk is not reused.
    prompt: 'login',
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
  const response = await tokenRequest(settings, {
    grant_type: 'authorization_code',
    code,
    code_verifier: flow.verifier,
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
  });
  if (!response.ok || !response.body.access_token) {
    throw new SignInError(response.body.error_description ?? `identity answered ${response.status}`);
  }
  const session = sessionOf(response.body);
  if (!session) throw new SignInError('identity did not issue a staff token: sign in as a staff member');
  storeSession(session);
  return session;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

async function tokenRequest(
  settings: DashboardSettings,
  form: Record<string, string>,
): Promise<{ ok: boolean; status: number; body: TokenAnswer }> {
  const response = await fetch(new URL('/oauth/token', settings.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as TokenAnswer;
  return { ok: response.ok, status: response.status, body };
}

/**
 * Trades the session's refresh token for a new access token and a new refresh token (identity
 * rotates them at every use), and keeps both for this tab.
 * @throws {SessionEndedError} when identity refuses: the clerk must sign in again.
 * @throws {TypeError} when identity could not be reached (worth trying again).
 */
export async function renewSession(settings: DashboardSettings, session: Session): Promise<Session> {
  if (!session.refreshToken) throw new SessionEndedError('no refresh token');
  const response = await tokenRequest(settings, {
    grant_type: 'refresh_token',
    refresh_token: session.refreshToken,
    client_id: settings.clientId,
  });
  if (response.status >= 500 || response.status === 429)
    throw new TypeError(`identity answered ${response.status}`);
  const renewed = response.ok ? sessionOf(response.body) : undefined;
  if (!renewed) {
    signOut();
    throw new SessionEndedError(response.body.error_description ?? `identity answered ${response.status}`);
  }
  // A refresh that brought no new refresh token leaves the current one in use.
  renewed.refreshToken ??= session.refreshToken;
  storeSession(renewed);
  return renewed;
}

/** Ends the sign-in at identity (its refresh tokens stop working), then forgets it here. */
export function endSession(settings: DashboardSettings, session: Session): void {
  signOut();
  if (!session.refreshToken) return;
  void fetch(new URL('/oauth/revoke', settings.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token: session.refreshToken,
      token_type_hint: 'refresh_token',
      client_id: settings.clientId,
    }),
    keepalive: true,
  }).catch(() => undefined);
}

function storeSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

/**
 * The signed-in session of this tab (after a reload too): while its access token is valid, or when
 * it can still be renewed.
 */
export function currentSession(): Session | undefined {
  const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
  if (!session || (session.expiresAt <= Date.now() && !session.refreshToken)) return undefined;
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * Reads the claims the dashboard shows (who, which offices). The gateway verifies the token on
 * every request; the dashboard only needs to know what to display.
 */
function sessionOf(answer: TokenAnswer): Session | undefined {
  const accessToken = answer.access_token;
  if (!accessToken) return undefined;
  const expiresIn = answer.expires_in ?? 900;
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(
    new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))),
  ) as Record<string, unknown>;
  if (claims['kind'] !== 'staff') return undefined;
  const now = Date.now();
  return {
    accessToken,
    ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
    // A little early: a request must not leave with a token that expires on the way.
    expiresAt: now + (expiresIn - 5) * 1000,
    issuedAt: now,
    username: String(claims['sub'] ?? ''),
    offices: Array.isArray(claims['offices']) ? claims['offices'].map(String) : [],
    comune: String(claims['comune'] ?? ''),
  };
}
