/**
 * A browser going through identity's sign-in: it keeps the cookies identity sets (they bind the
 * sign-in to it, and are sent back on the next requests), follows identity's redirects and answers
 * each form (login, consent) with the fields given, the form's hidden fields (its token) included.
 */
export class TestBrowser {
  private readonly cookies = new Map<string, string>();
  /** The pages the browser filled in, in order (the login, the consent page...). */
  readonly pages: string[] = [];

  /** Sends a request as this browser: its cookies, redirects not followed. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  }

  /** Posts a form as this browser: the page's hidden fields, then `fields`. */
  submit(url: string | URL, page: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hiddenFields(page), ...fields }).toString(),
    });
  }

  /**
   * Goes through a sign-in as a browser would: follows identity's redirects (its public origin
   * `issuer` reached at `serviceUrl`) and answers each form page with `fields` (the page's hidden
   * fields included), until identity sends the browser to `stopAt` (the app's redirect URI) or
   * off its origin, or answers something else (an error page). `headers` go with every request (a browser's language).
   *
   * @returns the last answer: the redirect to `stopAt`, or the page where the sign-in stopped.
   */
  async followSignIn(
    start: string | URL,
    options: {
      serviceUrl: string;
      issuer: string;
      stopAt?: string;
      fields?: Record<string, string>;
      headers?: Record<string, string>;
    },
  ): Promise<Response> {
    const local = (target: string) =>
      new URL(target, options.issuer).href.replace(options.issuer, options.serviceUrl);
    const headers = options.headers ?? {};
    let answer = await this.fetch(local(String(start)), { headers });
    for (let step = 0; step < 12; step += 1) {
      const location = answer.headers.get('location');
      if (location !== null) {
        const absolute = new URL(location, options.issuer).href;
        if (
          (options.stopAt !== undefined && absolute.startsWith(options.stopAt)) ||
          !absolute.startsWith(options.issuer)
        )
          return answer;
        answer = await this.fetch(local(absolute), { headers });
        continue;
      }
      if (answer.status !== 200) return answer;
      const page = await answer.clone().text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      if (action === undefined || options.fields === undefined) return answer;
      this.pages.push(page);
      answer = await this.submit(local(action.replaceAll('&amp;', '&')), page, options.fields);
    }
    throw new Error('the sign-in did not end after 12 steps');
  }

  /** The `Cookie` header this browser sends. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The hidden fields of a page's (first) form. */
export function hiddenFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) {
    fields[match[1]!] ??= match[2]!;
  }
  return fields;
}
