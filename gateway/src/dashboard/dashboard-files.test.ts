import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardFiles } from './dashboard-files.js';

const SETTINGS = { issuer: 'http://127.0.0.1:4001', clientId: 'sportello-dashboard', idleSeconds: 900 };

async function serve(buildDir: string): Promise<{ base: string; server: Server }> {
  const files = createDashboardFiles(SETTINGS, buildDir);
  const server = createServer((req, res) => void files.serve(req, res, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('dashboard files', () => {
  let dir: string;
  let base: string;
  let server: Server;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dashboard-'));
    await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>dashboard</title>');
    await writeFile(join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'outside the build');
    ({ base, server } = await serve(join(dir, 'dist')));
  });
  afterAll(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page for its own routes, never cached, with a policy naming identity', async () => {
    for (const path of ['/dashboard/', '/dashboard/callback?code=x&state=y']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain(
        "connect-src 'self' ws: wss: http://127.0.0.1:4001",
      );
      expect(await response.text()).toContain('<title>dashboard</title>');
    }
    const bare = await fetch(`${base}/dashboard?x=1`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/dashboard/?x=1');
  });

  it('caches hashed assets for good and answers 404 for missing ones', async () => {
    const asset = await fetch(`${base}/dashboard/assets/index-abc.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/dashboard/assets/gone.js`)).status).toBe(404);
  });

  it('publishes where to sign in', async () => {
    expect(await (await fetch(`${base}/dashboard/config.json`)).json()).toEqual(SETTINGS);
  });

  it('never serves a file outside the build', async () => {
    const response = await fetch(`${base}/dashboard/..%2Fsecret.txt`);
    expect(await response.text()).not.toContain('outside the build');
  });

  it('says how to build it when the build is missing', async () => {
    const empty = await serve(join(dir, 'nothing'));
    try {
      const response = await fetch(`${empty.base}/dashboard/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toMatch(/npm run build/);
    } finally {
      empty.server.close();
    }
  });
});
