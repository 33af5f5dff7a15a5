import { createHash, randomBytes } from 'node:crypto';

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

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    ...(cookie === undefined ? {} : { cookie }),
  },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

/** The cookies a response sets, as a `Cookie` header (the sign-in is bound to the browser by one). */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`the page has no "${name}" field:\n${html.slice(0, 500)}`);
  return value;
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

  const login = await fetch(authorize, { redirect: 'manual' });
  if (login.status !== 200) throw new Error(`authorize: HTTP ${login.status} ${await login.text()}`);
  const cookie = cookiesOf(login);
  const loginPage = await login.text();
  let answer = await fetch(
    `${identityUrl}/oauth/login`,
    form(
      {
        pending: hiddenField(loginPage, 'pending'),
        csrf: hiddenField(loginPage, 'csrf'),
        fiscal_code: citizen.fiscalCode,
      },
      cookie,
    ),
  );
  if (answer.status === 200) {
    // The consent page: the citizen allows what the app asked for.
    const page = await answer.text();
    answer = await fetch(
      `${identityUrl}/oauth/consent`,
      form(
        { pending: hiddenField(page, 'pending'), csrf: hiddenField(page, 'csrf'), decision: 'allow' },
        cookie,
      ),
    );
  }
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

/** An app's own token (OAuth client credentials): no citizen behind it. */
export async function clientCredentialsToken(identityUrl: string, app: AppCredentials): Promise<string> {
  const token = await fetch(
    `${identityUrl}/oauth/token`,
    form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret }),
  );
  if (token.status !== 200) throw new Error(`client credentials: HTTP ${token.status} ${await token.text()}`);
  return ((await token.json()) as { access_token: string }).access_token;
}
