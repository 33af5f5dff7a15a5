import { type ServerResponse } from 'node:http';

/** Where links in messages to citizens point: `<PUBLIC_URL>/portale/...`. */
export const PORTAL_PATH = '/portale';

/** The comune's citizen portal, where portal links lead; both optional. */
export interface PortalSettings {
  /** `PORTAL_URL`: `/portale/<path>` redirects to `<url>/<path>`. */
  url?: string | undefined;
  /** `PREFERENCES_URL`: where `/portale/preferenze` leads. @default `<url>/preferenze` */
  preferencesUrl?: string | undefined;
}

export function isPortalPath(path: string): boolean {
  return path === PORTAL_PATH || path.startsWith(`${PORTAL_PATH}/`);
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Answers a portal link of a message. Links in emails, IO and Telegram messages stay on the public
 * origin, so they keep working whatever the portal's address becomes: with a portal configured, a
 * `303` to the same place there; without one, a short page saying where to go instead.
 */
export function servePortalLink(res: ServerResponse, url: URL, portal: PortalSettings): void {
  const rest = url.pathname.slice(PORTAL_PATH.length).replace(/^\/+/, '');
  const target =
    rest === 'preferenze' && portal.preferencesUrl
      ? portal.preferencesUrl
      : portal.url
        ? `${portal.url.replace(/\/+$/, '')}/${rest}${url.search}`
        : undefined;
  if (target !== undefined) {
    res.writeHead(303, { location: target, 'cache-control': 'no-store' });
    return void res.end();
  }
  const html = `<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sportello</title></head>
<body><main>
<h1>Servizi online del Comune</h1>
<p>Il portale del Comune non è ancora disponibile a questo indirizzo (<code>${escape(`${PORTAL_PATH}/${rest}`)}</code>).
Trovi pratiche, pagamenti e avvisi nell'app IO e nelle app collegate a Sportello.</p>
</main></body></html>`;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}
