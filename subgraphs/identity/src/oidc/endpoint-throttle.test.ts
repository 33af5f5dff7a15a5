import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../config.js';
import { s256Challenge } from '../domain/pkce.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { TestBrowser } from '../test-support/browser.js';
import { MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const REDIRECT = 'http://localhost:5173/callback';

async function registerApp(service: TestIdentity, confidential = true) {
  const admin = await service.devToken({ subject: 'admin.neri' });
  const answer = await service.graphql(
    `mutation { registerApiClient(input: { name: "Bus times", scopes: [OPENID, PROFILE], redirectUris: ["${REDIRECT}"], confidential: ${confidential} }) { clientSecret client { clientId } } }`,
    { token: admin },
  );
  const registered = answer.data?.registerApiClient as { clientSecret: string; client: { clientId: string } };
  return { clientId: registered.client.clientId, secret: registered.clientSecret };
}

/** Sends `total` requests, `batch` at a time, and answers their statuses in order. */
async function inBatches(total: number, batch: number, send: () => Promise<Response>): Promise<Response[]> {
  const answers: Response[] = [];
  for (let sent = 0; sent < total; sent += batch) {
    answers.push(...(await Promise.all(Array.from({ length: Math.min(batch, total - sent) }, send))));
  }
  return answers;
}

describe('throttling of the token endpoint', () => {
  let service: TestIdentity;

  beforeAll(async () => {
    // The documented defaults, except a per-address limit that leaves this client alone in the case.
    service = await startIdentity({
      oauthThrottle: { failuresPerClient: 20, failuresPerAddress: 1_000, windowSeconds: 60 },
    });
  });
  afterAll(() => service?.close());

  it('answers 160 wrong client secrets, 40 at a time, with 429 once 20 failed, without hashing the rest', async () => {
    const app = await registerApp(service);
    // The app authenticated before the attack: its own requests keep working during it.
    const credentials = { grant_type: 'client_credentials', client_id: app.clientId };
    expect((await service.post('/oauth/token', { ...credentials, client_secret: app.secret })).status).toBe(
      200,
    );

    const answers = await inBatches(160, 40, () =>
      service.post('/oauth/token', { ...credentials, client_secret: generateOneTimeToken() }),
    );
    const statuses = answers.map((answer) => answer.status);
    const refusedAfterHashing = statuses.filter((status) => status === 401).length;
    // Each 401 cost a scrypt; at most a few were under way when the limit was reached.
    expect(refusedAfterHashing).toBeGreaterThanOrEqual(20);
    expect(refusedAfterHashing).toBeLessThanOrEqual(24);
    expect(statuses.filter((status) => status === 429)).toHaveLength(160 - refusedAfterHashing);

    const throttled = answers.find((answer) => answer.status === 429)!;
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(throttled.headers.get('cache-control')).toBe('no-store');
    const body = (await throttled.json()) as { error: string; error_description: string };
    expect(body.error).toBe('slow_down');
    expect(body.error_description).toMatch(/retry in \d+ s/);

    // Still refused with the window open, even a right-looking guess: no hashing.
    const again = await service.post('/oauth/token', { ...credentials, client_secret: 'another-guess' });
    expect(again.status).toBe(429);
    // The app itself, with its secret, is not locked out by strangers' guesses.
    expect((await service.post('/oauth/token', { ...credentials, client_secret: app.secret })).status).toBe(
      200,
    );
  });

  it("leaves other clients alone when one client's secret is being guessed", async () => {
    const target = await registerApp(service);
    const other = await registerApp(service);
    await inBatches(30, 10, () =>
      service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: target.clientId,
        client_secret: 'wrong',
      }),
    );
    const fresh = await service.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: other.clientId,
      client_secret: other.secret,
    });
    expect(fresh.status).toBe(200);
  });

  it('does not count successful requests: many tokens in a row are all given', async () => {
    const app = await registerApp(service);
    const answers = await inBatches(60, 20, () =>
      service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.secret,
      }),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });
});

describe('throttling per remote address', () => {
  let service: TestIdentity;

  beforeAll(async () => {
    service = await startIdentity({
      oauthThrottle: { failuresPerClient: 1_000, failuresPerAddress: 10, windowSeconds: 60 },
    });
  });
  afterAll(() => service?.close());

  it('answers 429 to an address whose attempts keep failing, whatever client ids it tries', async () => {
    const answers = await inBatches(30, 10, () =>
      service.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: `made-up-${generateOneTimeToken().slice(0, 8)}`,
        client_secret: 'x',
      }),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(-10)).toEqual(Array(10).fill(429));
  });

  it('throttles forged consent posts from an address with a 429 page', async () => {
    const other = await startIdentity({
      oauthThrottle: { failuresPerClient: 1_000, failuresPerAddress: 5, windowSeconds: 60 },
    });
    try {
      const app = await registerApp(other, false);
      const page = await (
        await new TestBrowser().followSignIn(
          `${other.url}/oauth/authorize?${new URLSearchParams({
            response_type: 'code',
            client_id: app.clientId,
            redirect_uri: REDIRECT,
            scope: 'openid',
            code_challenge: s256Challenge(generateOneTimeToken()),
            code_challenge_method: 'S256',
            login_hint: MARIO,
          })}`,
          { serviceUrl: other.url, issuer: 'http://identity.test', stopAt: REDIRECT },
        )
      ).text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? '';
      expect(action).toMatch(/^\/oauth\/interaction\//);
      // Posted from elsewhere: without the browser's sign-in cookies.
      const answers = await inBatches(8, 1, () => other.post(action, { decision: 'allow' }));
      expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
      const throttled = answers[7]!;
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('content-type')).toContain('text/html');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await throttled.text()).toContain('Too many sign-in attempts failed');
      expect(throttled.headers.get('location')).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe('throttling settings', () => {
  it('are read from the environment, with generous defaults', () => {
    expect(loadIdentityConfig({}).oauthThrottle).toEqual({
      failuresPerClient: 20,
      failuresPerAddress: 100,
      windowSeconds: 60,
    });
    expect(
      loadIdentityConfig({
        OAUTH_FAILURES_PER_CLIENT: '5',
        OAUTH_FAILURES_PER_ADDRESS: '50',
        OAUTH_FAILURE_WINDOW_SECONDS: '600',
      }).oauthThrottle,
    ).toEqual({ failuresPerClient: 5, failuresPerAddress: 50, windowSeconds: 600 });
    expect(() => loadIdentityConfig({ OAUTH_FAILURES_PER_CLIENT: '0' })).toThrow(/OAUTH_FAILURES_PER_CLIENT/);
  });
});
