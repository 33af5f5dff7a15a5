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

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

/** The hidden fields of a page's first form. */
function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] ??= match[2]!;
  }
  return fields;
}

/**
 * A browser going through identity's sign-in: it keeps the cookies identity sets (they bind the
 * sign-in to it), follows identity's redirects and answers each form (login, consent) with the
 * fields given, the form's hidden fields (its token) included.
 */
export class SignInBrowser {
  private readonly cookies = new Map<string, string>();
  /** The pages the browser filled in, in order (the login, the consent page...). */
  readonly pages: string[] = [];

  /** @param origin identity's public origin (redirects elsewhere end the walk) */
  constructor(private readonly origin: string) {}

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  }

  /**
   * Walks from `start` until identity sends the browser to `stopAt` (or off its origin), or answers
   * a page with no form to fill in (an error). Each form gets `fields` (those it has no use for are
   * ignored by identity).
   */
  async follow(
    start: string | URL,
    options: { stopAt?: string; fields: Record<string, string> },
  ): Promise<Response> {
    let answer = await this.fetch(start);
    for (let step = 0; step < 12; step += 1) {
      const location = answer.headers.get('location');
      if (location !== null) {
        const next = new URL(location, this.origin);
        if (
          (options.stopAt !== undefined && next.href.startsWith(options.stopAt)) ||
          next.origin !== new URL(this.origin).origin
        )
          return answer;
        answer = await this.fetch(next);
        continue;
      }
      if (answer.status !== 200) return answer;
      const page = await answer.clone().text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      if (action === undefined) return answer;
      this.pages.push(page);
      answer = await this.fetch(new URL(action.replaceAll('&amp;', '&'), this.origin), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...hiddenFields(page), ...options.fields }).toString(),
      });
    }
    throw new Error('the sign-in did not end after 12 steps');
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

/** An app's own token (OAuth client credentials): no citizen behind it. */
export async function clientCredentialsToken(identityUrl: string, app: AppCredentials): Promise<string> {
  const token = await fetch(
    `${identityUrl}/oauth/token`,
    form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret }),
  );
  if (token.status !== 200) throw new Error(`client credentials: HTTP ${token.status} ${await token.text()}`);
  return ((await token.json()) as { access_token: string }).access_token;
}
