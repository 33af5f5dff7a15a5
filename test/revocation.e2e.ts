import { randomBytes } from 'node:crypto';
import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { createInternalAssertions, type InternalAssertions } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { authorizeApp, type AppCredentials } from './support/oauth-flow.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 40;
const SERVICES = ['identity', 'anagrafe', 'tributi', 'practices', 'civil-protection', 'notifier'] as const;

/** What one caller gets back, through the gateway or straight from a service. */
async function answer(url: string, token: string, internal?: InternalAssertions) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(internal ? internal.headers() : {}),
    },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { reason?: string } }> };
  return { status: response.status, reason: body.errors?.[0]?.extensions?.reason };
}

describe.each(['embedded', 'distributed'] as const)('revocation at once, everywhere (%s mode)', (mode) => {
  const secret = randomBytes(32).toString('base64url');
  const internal = createInternalAssertions({ secret, caller: 'revocation-test' });
  let hub: RunningHub;
  let endpoints: Record<string, string>;
  let people: DemoPerson[];
  let admin: string;

  /** Every place a token is checked: the gateway, and each service behind it (with its assertion). */
  const everyone = async (token: string) =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(endpoints).map(
          async ([name, url]) =>
            [name, await answer(url, token, name === 'gateway' ? undefined : internal)] as const,
        ),
      ),
    );

  /**
   * How soon every place must refuse a revoked token. The view hears the revocation on the bus at once
   * and the target is under a second, which the suite usually measures; a machine loaded by
   * the whole suite has taken 3 s, so the test allows 5 s, still far from the token's expiry.
   */
  const REFUSED_WITHIN_MS = 5_000;

  /**
   * Asks everyone until each refuses the token with `reason`; returns how long after `since` the last
   * one did. A token still accepted after 10 s fails the test.
   */
  async function refusedEverywhere(token: string, reason: string, since: number): Promise<number> {
    const pending = new Set(Object.keys(endpoints));
    let last = 0;
    while (pending.size > 0 && Date.now() - since < 10_000) {
      const answers = await everyone(token);
      for (const name of [...pending]) {
        const got = answers[name]!;
        if (got.status === 401 && got.reason === reason) {
          pending.delete(name);
          last = Date.now() - since;
        }
      }
    }
    expect([...pending], `still accepted by ${[...pending].join(', ')}`).toEqual([]);
    return last;
  }

  const acceptedEverywhere = async (token: string) => {
    for (const [name, got] of Object.entries(await everyone(token))) expect(got.status, name).toBe(200);
  };

  /** The admin registers a third-party app asking for OpenID and the profile; returns its credentials. */
  async function registerApp(name: string): Promise<AppCredentials> {
    const redirectUri = 'http://localhost:5173/callback';
    const registered = await graphql<{
      registerApiClient: { clientSecret: string; client: { clientId: string } };
    }>(
      hub.api,
      'mutation ($input: RegisterApiClientInput!) { registerApiClient(input: $input) { clientSecret client { clientId } } }',
      {
        token: admin,
        variables: { input: { name, scopes: ['OPENID', 'PROFILE'], redirectUris: [redirectUri] } },
      },
    );
    expect(registered.errors).toBeUndefined();
    return {
      clientId: registered.data!.registerApiClient.client.clientId,
      clientSecret: registered.data!.registerApiClient.clientSecret,
      redirectUri,
    };
  }

  beforeAll(async () => {
    const comune = mode === 'embedded' ? '999001' : randomComune();
    ({ people } = generatePopulation({ households: HOUSEHOLDS, istat: comune }));
    hub = await startHub(mode, { households: HOUSEHOLDS, comune, env: { INTERNAL_SECRET: secret } });
    const services = /services\s+(.+)/.exec(hub.process.output())![1]!;
    endpoints = {
      gateway: hub.api,
      ...Object.fromEntries(
        SERVICES.map((name) => [
          name,
          `http://${new RegExp(`${name} (127\\.0\\.0\\.1:\\d+)`).exec(services)![1]}/graphql`,
        ]),
      ),
    };
    admin = (await devToken(hub.identity, { subject: 'admin' })).access_token;
  }, 330_000);

  afterAll(async () => {
    await hub?.stop();
  }, 90_000);

  it("refuses a revoked app's live token at the gateway and at every service within seconds", async () => {
    const issued = await fetch(`${hub.identity}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'demo-app',
        client_secret: 'demo-app-secret',
        comune: hub.comune,
      }).toString(),
    });
    const app = ((await issued.json()) as { access_token: string }).access_token;
    await acceptedEverywhere(app);

    const revoked = await graphql(
      hub.api,
      'mutation { revokeApiClient(clientId: "demo-app") { revokedAt } }',
      {
        token: admin,
      },
    );
    expect(revoked.errors).toBeUndefined();
    const after = await refusedEverywhere(app, 'CLIENT_REVOKED', Date.now());
    expect(after).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("refuses an app's token for a citizen at the gateway and at every service once the citizen withdraws its grant, and not its token for another citizen", async () => {
    const app = await registerApp('Orari bus');
    const [granting, other] = people.filter((person) => person.relationship === 'head').slice(-2);
    const appToken = await authorizeApp(hub.identity, app, {
      fiscalCode: granting!.fiscalCode,
      scope: 'openid profile',
    });
    const otherToken = await authorizeApp(hub.identity, app, {
      fiscalCode: other!.fiscalCode,
      scope: 'openid profile',
    });
    await acceptedEverywhere(appToken);

    const citizen = (await devToken(hub.identity, { subject: granting!.fiscalCode })).access_token;
    const grants = await graphql<{ myAppGrants: { nodes: Array<{ clientId: string; name: string }> } }>(
      hub.api,
      '{ myAppGrants(language: EN) { nodes { clientId name } } }',
      { token: citizen },
    );
    expect(grants.data?.myAppGrants.nodes).toContainEqual({ clientId: app.clientId, name: 'Orari bus' });
    const revoked = await graphql(
      hub.api,
      'mutation ($clientId: String!) { revokeAppGrant(clientId: $clientId) }',
      {
        token: citizen,
        variables: { clientId: app.clientId },
      },
    );
    expect(revoked.errors).toBeUndefined();
    const after = await refusedEverywhere(appToken, 'TOKEN_REVOKED', Date.now());
    expect(after).toBeLessThan(REFUSED_WITHIN_MS);
    await acceptedEverywhere(otherToken);
  });

  it("refuses an access token its app revoked at the gateway and at every service within seconds, and not the same citizen's other token", async () => {
    const app = await registerApp('Raccolta rifiuti');
    const citizen = people.filter((person) => person.relationship === 'head').at(-3)!;
    const revokedToken = await authorizeApp(hub.identity, app, {
      fiscalCode: citizen.fiscalCode,
      scope: 'openid profile',
    });
    const otherToken = await authorizeApp(hub.identity, app, {
      fiscalCode: citizen.fiscalCode,
      scope: 'openid profile',
    });
    await acceptedEverywhere(revokedToken);

    const revoked = await fetch(`${hub.identity}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: revokedToken,
        token_type_hint: 'access_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    const after = await refusedEverywhere(revokedToken, 'TOKEN_REVOKED', Date.now());
    expect(after).toBeLessThan(REFUSED_WITHIN_MS);
    await acceptedEverywhere(otherToken);
  });

  it("refuses a delegate's token acting for the delegator once the delegation is revoked, and not their own", async () => {
    // A parent of a minor: the demo seeds their delegation to act for the child.
    const minor = people.find(
      (person) =>
        person.relationship === 'child' &&
        Date.now() - Date.parse(person.birthDate) < 16 * 365.25 * 86_400_000,
    )!;
    const delegate = people.find(
      (person) =>
        person.householdId === minor.householdId &&
        (person.relationship === 'head' || person.relationship === 'spouse'),
    )!;
    const acting = (await devToken(hub.identity, { subject: delegate.fiscalCode })).access_token;
    const mine = await graphql<{ me: { actsFor: Array<{ id: string; delegator: string }> } }>(
      hub.api,
      '{ me { actsFor { id delegator } } }',
      { token: acting },
    );
    expect(mine.errors).toBeUndefined();
    const delegation = mine.data!.me.actsFor.find((entry) => entry.delegator === minor.fiscalCode)!;
    await acceptedEverywhere(acting);

    const revoked = await graphql(hub.api, 'mutation ($id: ID!) { revokeDelegation(id: $id) { active } }', {
      token: acting,
      variables: { id: delegation.id },
    });
    expect(revoked.errors).toBeUndefined();
    const after = await refusedEverywhere(acting, 'TOKEN_REVOKED', Date.now());
    expect(after).toBeLessThan(REFUSED_WITHIN_MS);

    // A new sign-in carries no delegation any more, and works everywhere.
    const fresh = await devToken(hub.identity, { subject: delegate.fiscalCode });
    await acceptedEverywhere(fresh.access_token);
  });

  it("refuses a disabled staff member's live token at the gateway and at every service within seconds", async () => {
    const clerk = (await devToken(hub.identity, { subject: 'pratiche.verdi' })).access_token;
    await acceptedEverywhere(clerk);
    const disabled = await graphql(
      hub.api,
      'mutation { setStaffMemberEnabled(username: "pratiche.verdi", enabled: false) { username } }',
      { token: admin },
    );
    expect(disabled.errors).toBeUndefined();
    const after = await refusedEverywhere(clerk, 'TOKEN_REVOKED', Date.now());
    expect(after).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("refuses a signed-out citizen's live token at the gateway and at every service within seconds", async () => {
    const citizen = people.find((person) => person.relationship === 'spouse')!;
    const session = (await devToken(hub.identity, { subject: citizen.fiscalCode })).access_token;
    await acceptedEverywhere(session);
    const signedOut = await graphql(hub.api, 'mutation { signOutEverywhere }', { token: session });
    expect(signedOut.errors).toBeUndefined();
    const after = await refusedEverywhere(session, 'TOKEN_REVOKED', Date.now());
    expect(after).toBeLessThan(REFUSED_WITHIN_MS);
  });
});
