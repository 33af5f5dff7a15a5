import { readFile, stat } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the staff dashboard is served. */
export const DASHBOARD_PATH = '/dashboard';

/**
 * The dashboard's build (`gateway/dashboard/dist`), found from this file: `src/dashboard/` under
 * vitest and `dist/dashboard/` once built sit at the same depth in the gateway package.
 */
const BUILD_DIR = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** What the page needs to sign staff in, published at `/dashboard/config.json`. */
export interface DashboardSettings {
  /** Identity's base URL (`/oauth/authorize`, `/oauth/token`). */
  issuer: string;
  clientId: string;
  /** A clerk who does nothing for this long is signed out (the page keeps the session alive until). */
  idleSeconds?: number;
}

/**
 * Serves the built dashboard: hashed assets for a year, everything else (the page, and any path
 * the page routes itself, like `/dashboard/callback`) as `index.html`, never cached, with a
 * content security policy that lets it talk to this gateway and to identity only.
 *
 * @param buildDir - @default the dashboard workspace's `dist/`
 */
export function createDashboardFiles(settings: DashboardSettings, buildDir = BUILD_DIR) {
  const root = normalize(buildDir.endsWith(sep) ? buildDir : `${buildDir}${sep}`);
  const issuerOrigin = new URL(settings.issuer).origin;
  const policy = [
    "default-src 'self'",
    `connect-src 'self' ws: wss: ${issuerOrigin}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    `form-action 'self' ${issuerOrigin}`,
  ].join('; ');
  const config = JSON.stringify(settings);

  async function sendFile(
    res: ServerResponse,
    file: string,
    immutable: boolean,
    head: boolean,
  ): Promise<boolean> {
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) return false;
      body = await readFile(file);
    } catch {
      return false;
    }
    const html = extname(file) === '.html';
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(html ? { 'content-security-policy': policy, 'referrer-policy': 'no-referrer' } : {}),
    });
    res.end(head ? undefined : body);
    return true;
  }

  return {
    /** Answers a request under {@link DASHBOARD_PATH}. */
    async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      const head = req.method === 'HEAD';
      if (req.method !== 'GET' && !head) {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('Method not allowed');
      }
      if (url.pathname === DASHBOARD_PATH) {
        res.writeHead(308, { location: `${DASHBOARD_PATH}/${url.search}` });
        return void res.end();
      }
      const path = decodeURIComponent(url.pathname.slice(DASHBOARD_PATH.length + 1));
      if (path === 'config.json') {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-cache',
          'content-length': Buffer.byteLength(config),
        });
        return void res.end(head ? undefined : config);
      }
      const file = normalize(join(root, path));
      // Only files inside the build, whatever `..` the path carries.
      if (file.startsWith(root) && path !== '' && !path.endsWith('/')) {
        if (await sendFile(res, file, path.startsWith('assets/'), head)) return;
        if (path.startsWith('assets/') || extname(path) !== '') {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          return void res.end('Not found');
        }
      }
      if (await sendFile(res, join(root, 'index.html'), false, head)) return;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
      res.end('The dashboard is not built: run `npm run build` (it builds @sportello/dashboard).');
    },
  };
}
