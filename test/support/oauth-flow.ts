import { createHash, randomBytes } from 'node:crypto';
import { TestBrowser } from '@sportello/test-support';

/** An app's own token (OAuth client credentials): no citizen behind it. */
export { clientCredentialsToken } from '@sportello/test-support';

/** A registered third-party app, as its developer holds it. */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

/** A {@link TestBrowser} signing in on identity at `origin`, its public origin reached there too. */
export class SignInBrowser extends TestBrowser {
  constructor(private readonly origin: string) {
    super();
  }

  /**
   * Walks from `start` until identity sends the browser to `stopAt` (or off its origin), or answers
   * a page with no form to fill in (an error). Each form gets `fields` (those it has no use for are
   * ignored by identity).
   */
  follow(
    start: string | URL,
    options: { stopAt?: string; fields: Record<string, string> },
  ): Promise<Response> {
    return this.followSignIn(start, { serviceUrl: this.origin, issuer: this.origin, ...options });
  }
}

/**
 * What a third-party app does to act on a citizen's behalf: the authorization code flow with PKCE
 * against identity, the citizen signing in through the demo login form and allowing the scopes on
 * the consent page (skipped by identity when an earlier grant already covers them). Redirects are
 * followed by hand, as a browser would (sending back the cookie binding the sign-in to it, with the
 * forms' hidden fields), and the code is exchanged with the verifier and the app's secret.
 *
 * @returns the access token the app receives.
 * @throws Error naming the step that did not answer as the flow expects.
 */
export async function authorizeApp(
  identityUrl: string,
  app: AppCredentials,
  citizen: { fiscalCode: string; scope: string },
): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const state = base64url(randomBytes(12));
  const authorize = new URL(`${identityUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    scope: citizen.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  // The demo login (the citizen chosen by fiscal code), then the consent page if the app asks.
  const browser = new SignInBrowser(identityUrl);
  const answer = await browser.follow(authorize, {
    stopAt: app.redirectUri,
    fields: { fiscal_code: citizen.fiscalCode, decision: 'allow' },
  });
  const location = answer.headers.get('location');
  if (answer.status < 300 || answer.status >= 400 || location === null) {
    throw new Error(`login/consent: HTTP ${answer.status} ${await answer.text()}`);
  }
  const callback = new URL(location);
  const code = callback.searchParams.get('code');
  if (code === null || callback.searchParams.get('state') !== state) {
    throw new Error(`the redirect to the app carries no code for our state: ${location}`);
  }

  const token = await fetch(
    `${identityUrl}/oauth/token`,
    form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    }),
  );
  if (token.status !== 200) throw new Error(`token: HTTP ${token.status} ${await token.text()}`);
  return ((await token.json()) as { access_token: string }).access_token;
}
