import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../config.js';
import { generateOneTimeToken } from '../domain/secrets.js';
import { DASHBOARD_CLIENT_ID } from '../seed/index.js';
import type { FakeUpstream } from '../test-support/fake-upstream.js';
import { TestBrowser } from '../test-support/browser.js';
import { DASHBOARD_REDIRECT, type TestIdentity } from '../test-support/harness.js';
import {
  adminToken,
  authorizeUrl,
  signInUpstream,
  startIdentityWithUpstream,
  type IdentityWithUpstream,
} from '../test-support/upstream-sign-in.js';

let started: IdentityWithUpstream | undefined;
let upstream: FakeUpstream;
let service: TestIdentity;

beforeAll(async () => {
  started = await startIdentityWithUpstream(
    {
      clientId: 'sportello-staff',
      clientSecret: 'staff-upstream-secret',
      user: { preferred_username: 'tributi.verdi', email: 'l.verdi@comune.example.it' },
    },
    (login) => ({
      staffUpstream: {
        ...login,
        scope: 'openid profile email',
        usernameClaim: 'preferred_username',
        clients: [DASHBOARD_CLIENT_ID],
      },
    }),
  );
  ({ upstream, service } = started);
});
afterAll(() => started?.close());

/** GraphQL at identity as the comune's administrator. */
async function adminSession(): Promise<(query: string) => ReturnType<TestIdentity['graphql']>> {
  const admin = await adminToken(service);
  return (query) => service.graphql(query, { token: admin });
}

/** The staff dashboard's sign-in, as a browser follows it through the comune's provider. */
async function dashboardSignIn(): Promise<{ page: Response; verifier: string }> {
  const verifier = generateOneTimeToken();
  const authorize = authorizeUrl(service.url, {
    clientId: DASHBOARD_CLIENT_ID,
    redirectUri: DASHBOARD_REDIRECT,
    scope: 'openid',
    state: 'dashboard-state',
    verifier,
  });
  const browser = new TestBrowser();
  const follow = (start: string | URL) =>
    browser.followSignIn(start, {
      serviceUrl: service.url,
      issuer: 'http://identity.test',
      stopAt: DASHBOARD_REDIRECT,
    });
  const { upstreamUrl, callback } = await signInUpstream(follow, authorize);
  expect(upstreamUrl.origin).toBe(upstream.issuer);
  expect(callback.pathname).toBe('/oauth/callback');
  // The callback URL is the issuer's; the browser follows it (on the test's listening address).
  const page = await follow(callback);
  return { page, verifier };
}

describe("staff sign-in through the comune's own OpenID provider (production)", () => {
  it('signs an enabled staff member in to the dashboard with the offices identity knows', async () => {
    upstream.signInAs({ preferred_username: 'tributi.verdi', email: 'l.verdi@comune.example.it' });
    const { page, verifier } = await dashboardSignIn();
    expect([302, 303]).toContain(page.status);
    const location = new URL(page.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(DASHBOARD_REDIRECT);
    expect(location.searchParams.get('state')).toBe('dashboard-state');

    const token = await service.redeemCode({
      code: location.searchParams.get('code') ?? '',
      verifier,
      clientId: DASHBOARD_CLIENT_ID,
      redirectUri: DASHBOARD_REDIRECT,
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({
      kind: 'staff',
      sub: 'tributi.verdi',
      offices: ['tributi'],
    });
  });

  it('refuses an account of the provider that is not staff of the comune in identity', async () => {
    upstream.signInAs({ preferred_username: 'someone.else', email: 'someone@example.org' });
    const { page } = await dashboardSignIn();
    expect(page.status).toBe(403);
    const text = await page.text();
    expect(text).toContain('not an enabled staff member of the comune');
    expect(page.headers.get('location')).toBeNull();
  });

  it('lets admin staff add a member, change their offices and disable them, with sign-in following', async () => {
    const asAdmin = await adminSession();
    const added = await asAdmin(
      'mutation { addStaffMember(input: { username: "m.rossi", displayName: "Marta Rossi", offices: [PRACTICES] }) { username offices enabled } }',
    );
    expect(added.data?.addStaffMember).toEqual({
      username: 'm.rossi',
      offices: ['PRACTICES'],
      enabled: true,
    });
    const signIn = async () => {
      upstream.signInAs({ preferred_username: 'm.rossi' });
      const { page, verifier } = await dashboardSignIn();
      if (page.status !== 302 && page.status !== 303) return page.status;
      const code = new URL(page.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const token = await service.redeemCode({
        code,
        verifier,
        clientId: DASHBOARD_CLIENT_ID,
        redirectUri: DASHBOARD_REDIRECT,
      });
      return decodeJwt(((await token.json()) as { access_token: string }).access_token)['offices'];
    };
    expect(await signIn()).toEqual(['practices']);

    await asAdmin(
      'mutation { setStaffOffices(username: "m.rossi", offices: [PRACTICES, SUAP]) { username } }',
    );
    expect(await signIn()).toEqual(['practices', 'suap']);

    const disabled = await asAdmin(
      'mutation { setStaffMemberEnabled(username: "m.rossi", enabled: false) { enabled } }',
    );
    expect(disabled.data?.setStaffMemberEnabled).toEqual({ enabled: false });
    expect(await signIn()).toBe(403);
    const listed = await asAdmin(
      '{ staffMembers { nodes { username } } all: staffMembers(includeDisabled: true) { nodes { username } } }',
    );
    expect((listed.data?.['staffMembers'] as { nodes: unknown[] }).nodes).not.toContainEqual({
      username: 'm.rossi',
    });
    expect((listed.data?.['all'] as { nodes: unknown[] }).nodes).toContainEqual({ username: 'm.rossi' });
  });

  it('refuses staff administration to anyone but admin staff, and bad input with the field named', async () => {
    const clerk = await service.identity.tokens.issue({
      kind: 'staff',
      comune: '001272',
      username: 'tributi.verdi',
      offices: ['tributi'],
    });
    const refused = await service.graphql(
      'mutation { addStaffMember(input: { username: "x.y", displayName: "X", offices: [TRIBUTI] }) { username } }',
      { token: clerk.accessToken },
    );
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const asAdmin = await adminSession();
    const duplicate = await asAdmin(
      'mutation { addStaffMember(input: { username: "tributi.verdi", displayName: "Again", offices: [TRIBUTI] }) { username } }',
    );
    expect(duplicate.errors?.[0]?.message).toBe('staff member "tributi.verdi" already exists in this comune');
    const noOffice = await asAdmin(
      'mutation { addStaffMember(input: { username: "n.o", displayName: "No Office", offices: [] }) { username } }',
    );
    expect(noOffice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'offices' });
    const self = await asAdmin(
      'mutation { setStaffMemberEnabled(username: "admin.neri", enabled: false) { enabled } }',
    );
    expect(self.errors?.[0]?.message).toBe('an administrator cannot disable their own account');
    const unknown = await asAdmin(
      'mutation { setStaffOffices(username: "nobody", offices: [ADMIN]) { username } }',
    );
    expect(unknown.errors?.[0]?.message).toBe('no staff member "nobody" in this comune');
  });

  it('needs a client id and secret with STAFF_OIDC_ISSUER, and signs the dashboard in by default', () => {
    expect(() => loadIdentityConfig({ STAFF_OIDC_ISSUER: 'https://login.comune.example.it' })).toThrow(
      /STAFF_OIDC_CLIENT_ID: client id and secret are required with a staff issuer/,
    );
    const config = loadIdentityConfig({
      STAFF_OIDC_ISSUER: 'https://login.comune.example.it',
      STAFF_OIDC_CLIENT_ID: 'sportello',
      STAFF_OIDC_CLIENT_SECRET: 'secret',
    });
    expect(config.staffUpstream).toMatchObject({
      usernameClaim: 'preferred_username',
      clients: [DASHBOARD_CLIENT_ID],
    });
  });
});
