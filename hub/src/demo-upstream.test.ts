import { createHash, createPublicKey, createVerify, randomBytes, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { startDemoUpstream, startHubDemoUpstream, type DemoUpstream } from './demo-upstream.js';

const CALLBACK = 'http://127.0.0.1:4000/oauth/callback';
const CITIZEN = {
  clientId: 'sportello-identity',
  clientSecret: 'citizen-secret-0123',
  kind: 'citizen',
} as const;
const STAFF = { clientId: 'sportello-staff', clientSecret: 'staff-secret-0123456', kind: 'staff' } as const;
const KNOWN = { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi' };

let upstream: DemoUpstream;
beforeAll(async () => {
  upstream = await startDemoUpstream({
    port: 0,
    clients: [CITIZEN, STAFF],
    redirectUris: () => [CALLBACK],
    identities: [KNOWN],
    comuneName: 'Genova',
  });
});
afterAll(() => upstream?.close());

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}
const discover = async () =>
  (await (await fetch(`${upstream.issuer}/.well-known/openid-configuration`)).json()) as Discovery;

function authorizeParams(client: { clientId: string }) {
  const verifier = randomBytes(32).toString('base64url');
  return {
    verifier,
    params: {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state: 'state-1',
      nonce: 'nonce-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    },
  };
}

/** What the browser does on the login page: submits its form with the hidden fields and what the person typed. */
async function submitLogin(loginPage: string, typed: Record<string, string>): Promise<Response> {
  const fields = Object.fromEntries(
    [...loginPage.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
      match[1],
      (match[2] ?? '').replace(/&amp;/g, '&'),
    ]),
  );
  return fetch(`${upstream.issuer}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, ...typed }).toString(),
    redirect: 'manual',
  });
}

async function redeem(code: string, verifier: string, client: { clientId: string; clientSecret: string }) {
  const { token_endpoint } = await discover();
  return fetch(token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }).toString(),
  });
}

/** The ID token's claims, after checking its ES256 signature against the published keys. */
async function verifiedClaims(idToken: string): Promise<Record<string, unknown>> {
  const { jwks_uri } = await discover();
  const { keys } = (await (await fetch(jwks_uri)).json()) as { keys: Array<JsonWebKey & { kid: string }> };
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
  const key = createPublicKey({ key: keys.find((candidate) => candidate.kid === kid)!, format: 'jwk' });
  const valid = createVerify('SHA256')
    .update(`${header}.${payload}`)
    .verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  expect(valid).toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

describe('the demo SPID-like upstream', () => {
  it('publishes its discovery document and keys', async () => {
    const discovery = await discover();
    expect(discovery).toMatchObject({
      issuer: upstream.issuer,
      authorization_endpoint: `${upstream.issuer}/authorize`,
      code_challenge_methods_supported: ['S256'],
    });
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });

  it('signs a citizen in on an Italian page and gives the TINIT fiscal number and names for the PKCE verifier', async () => {
    const { verifier, params } = authorizeParams(CITIZEN);
    const { authorization_endpoint } = await discover();
    const login = await fetch(`${authorization_endpoint}?${new URLSearchParams(params)}`);
    expect(login.status).toBe(200);
    const loginPage = await login.text();
    expect(loginPage).toContain('<html lang="it">');
    expect(loginPage).toContain('Codice fiscale');
    expect(loginPage).toContain('Comune di Genova');

    const back = await submitLogin(loginPage, { fiscal_code: KNOWN.fiscalCode.toLowerCase() });
    expect(back.status).toBe(303);
    const callback = new URL(back.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe('state-1');
    const code = callback.searchParams.get('code') ?? '';

    // A wrong verifier is refused, and burns the code.
    expect((await redeem(code, 'not-the-verifier', CITIZEN)).status).toBe(400);
    expect((await redeem(code, verifier, CITIZEN)).status).toBe(400);
  });

  it('redeems a code once, for its client and verifier, into a signed ID token carrying the claims', async () => {
    const { verifier, params } = authorizeParams(CITIZEN);
    const loginPage = await (
      await fetch(`${upstream.issuer}/authorize?${new URLSearchParams(params)}`)
    ).text();
    const back = await submitLogin(loginPage, { fiscal_code: KNOWN.fiscalCode });
    const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';

    expect((await redeem(code, verifier, { ...CITIZEN, clientSecret: 'wrong-secret-000000' })).status).toBe(
      401,
    );
    const tokens = await redeem(code, verifier, CITIZEN);
    expect(tokens.status).toBe(200);
    const { id_token } = (await tokens.json()) as { id_token: string };
    expect(await verifiedClaims(id_token)).toMatchObject({
      iss: upstream.issuer,
      aud: CITIZEN.clientId,
      nonce: 'nonce-1',
      fiscalNumber: `TINIT-${KNOWN.fiscalCode}`,
      given_name: 'Mario',
      family_name: 'Rossi',
    });
    expect((await redeem(code, verifier, CITIZEN)).status).toBe(400);
  });

  it('names what is wrong: an invalid fiscal code, an unknown person without names, an unregistered return address', async () => {
    const { params } = authorizeParams(CITIZEN);
    const loginPage = await (
      await fetch(`${upstream.issuer}/authorize?${new URLSearchParams(params)}`)
    ).text();
    const invalid = await submitLogin(loginPage, { fiscal_code: 'RSSMRA80A01H501X' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('Codice fiscale non valido');
    const nameless = await submitLogin(loginPage, { fiscal_code: 'CNTCHR83T41D969D' });
    expect(nameless.status).toBe(400);
    expect(await nameless.text()).toContain('Indica nome e cognome');

    const elsewhere = await fetch(
      `${upstream.issuer}/authorize?${new URLSearchParams({ ...params, redirect_uri: 'https://evil.example/cb' })}`,
    );
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('redirect_uri');
  });

  it('signs staff in by username, with no list of people to choose from', async () => {
    const { verifier, params } = authorizeParams(STAFF);
    const login = await fetch(`${upstream.issuer}/authorize?${new URLSearchParams(params)}`);
    const loginPage = await login.text();
    expect(loginPage).toContain('Nome utente');
    expect(loginPage).not.toContain('Codice fiscale');
    expect(loginPage).not.toContain(KNOWN.familyName);
    const back = await submitLogin(loginPage, { username: 'Admin.Neri' });
    const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const { id_token } = (await (await redeem(code, verifier, STAFF)).json()) as { id_token: string };
    const claims = await verifiedClaims(id_token);
    expect(claims).toMatchObject({ aud: STAFF.clientId, preferred_username: 'admin.neri' });
    expect(claims['fiscalNumber']).toBeUndefined();
  });

  it('tells the person starting the hub when its port is taken, naming the way out', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const start = startHubDemoUpstream(
        { mode: 'demo', demoUpstream: true, port: port - 7, comuneName: 'Genova', environment: {} },
        () => CALLBACK,
      );
      await expect(start).rejects.toThrow(
        new RegExp(`DEMO_UPSTREAM: .*port ${port} \\(PORT\\+7\\), which is in use.*DEMO_UPSTREAM=false`),
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('is not started in production, nor when both providers are set', async () => {
    const base = { demoUpstream: true, port: 0, comuneName: 'Genova' };
    expect(
      await startHubDemoUpstream({ ...base, mode: 'production', environment: {} }, () => null),
    ).toBeNull();
    const own = {
      UPSTREAM_OIDC_ISSUER: 'https://spid.example.it',
      STAFF_OIDC_ISSUER: 'https://login.example.it',
    };
    expect(await startHubDemoUpstream({ ...base, mode: 'demo', environment: own }, () => null)).toBeNull();
  });
});
