import { expect } from 'vitest';
import type { IdentityConfig } from '../config.js';
import { s256Challenge } from '../domain/pkce.js';
import type { TestBrowser } from './browser.js';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamUser } from './fake-upstream.js';
import { COMUNE, startIdentity, type TestIdentity } from './harness.js';

/** How identity signs in at the fake upstream provider: the client it is there. */
export interface UpstreamLogin {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Identity in production mode signing people in at a fake upstream provider. */
export interface IdentityWithUpstream {
  upstream: FakeUpstream;
  service: TestIdentity;
  /** Closes identity, then the upstream provider. */
  close(): Promise<void>;
}

/**
 * Starts a fake upstream provider that knows identity as `login` and signs `user` in, then identity
 * in production mode with the upstream `settings` made from it (the SPID/CIE gateway, the comune's
 * staff provider).
 */
export async function startIdentityWithUpstream(
  login: Omit<UpstreamLogin, 'issuer'> & { user: FakeUpstreamUser },
  settings: (upstream: UpstreamLogin) => Partial<IdentityConfig>,
): Promise<IdentityWithUpstream> {
  const upstream = await startFakeUpstream(login);
  const service = await startIdentity({
    mode: 'production',
    ...settings({ issuer: upstream.issuer, clientId: login.clientId, clientSecret: login.clientSecret }),
  });
  return {
    upstream,
    service,
    async close() {
      await service.close();
      await upstream.close();
    },
  };
}

/** An access token of the comune's administrator (`admin.neri`), issued by identity itself. */
export async function adminToken(service: TestIdentity): Promise<string> {
  const admin = await service.identity.tokens.issue({
    kind: 'staff',
    comune: COMUNE,
    username: 'admin.neri',
    offices: ['admin'],
  });
  return admin.accessToken;
}

/** Identity's authorization URL for an app's sign-in with PKCE (S256 of `verifier`). */
export function authorizeUrl(
  serviceUrl: string,
  request: { clientId: string; redirectUri: string; scope: string; state: string; verifier: string },
): URL {
  const authorize = new URL(`${serviceUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: request.state,
    code_challenge: s256Challenge(request.verifier),
    code_challenge_method: 'S256',
  }).toString();
  return authorize;
}

/**
 * Starts a sign-in in a browser (`follow`, which follows identity's redirects) and lets the
 * upstream provider answer it: identity sends the browser upstream, which signs its user in at once.
 *
 * @returns where identity sent the browser, and where the provider sends it back (identity's callback)
 */
export async function signInUpstream(
  follow: (start: string | URL) => ReturnType<TestBrowser['followSignIn']>,
  authorize: URL,
): Promise<{ upstreamUrl: URL; callback: URL }> {
  const toUpstream = await follow(authorize);
  expect(toUpstream.status).toBe(302);
  const upstreamUrl = new URL(toUpstream.headers.get('location') ?? '');
  const back = await fetch(upstreamUrl, { redirect: 'manual' });
  return { upstreamUrl, callback: new URL(back.headers.get('location') ?? '') };
}
