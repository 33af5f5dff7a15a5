import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { s256Challenge } from '../domain/pkce.js';

/** A person the fake SPID gateway signs in, with the claims it sends. */
export interface FakeSpidUser {
  fiscalNumber: string;
  given_name: string;
  family_name: string;
}

/** The claims of whoever the fake provider signs in next (a SPID user, or a comune's staff account). */
export type FakeUpstreamUser = FakeSpidUser | Record<string, string>;

/** A running fake upstream provider (see {@link startFakeUpstream}). */
export type FakeUpstream = Awaited<ReturnType<typeof startFakeUpstream>>;

/**
 * A tiny OpenID provider on loopback behaving like a SPID/CIE gateway: discovery, authorize (signs
 * the configured user in at once), token (checks client secret and PKCE), JWKS.
 */
export async function startFakeUpstream(options: {
  clientId: string;
  clientSecret: string;
  user: FakeUpstreamUser;
}) {
  let user = options.user;
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'spid-1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string }>();
  let issuer = '';
  let counter = 0;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const params = url.searchParams;
      if (params.get('client_id') !== options.clientId || params.get('code_challenge_method') !== 'S256') {
        return json(400, { error: 'invalid_request' });
      }
      const code = `upstream-code-${++counter}`;
      const redirectUri = params.get('redirect_uri') ?? '';
      codes.set(code, {
        challenge: params.get('code_challenge') ?? '',
        nonce: params.get('nonce') ?? '',
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        void (async () => {
          const form = new URLSearchParams(body);
          // client_secret_basic: id and secret form-urlencoded, then base64 (RFC 6749 2.3.1).
          const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
          const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
          const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
          if (decode(id) !== options.clientId || decode(secret) !== options.clientSecret) {
            return json(401, { error: 'invalid_client' });
          }
          const grant = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          if (grant === undefined || s256Challenge(form.get('code_verifier') ?? '') !== grant.challenge) {
            return json(400, { error: 'invalid_grant' });
          }
          const idToken = await new SignJWT({ nonce: grant.nonce, ...user })
            .setProtectedHeader({ alg: 'ES256', kid: 'spid-1' })
            .setIssuer(issuer)
            .setAudience(options.clientId)
            .setSubject('spid-user-1')
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(privateKey);
          json(200, { access_token: 'opaque', token_type: 'Bearer', id_token: idToken });
        })();
      });
      return;
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    /** Who signs in from now on. */
    signInAs(next: FakeUpstreamUser) {
      user = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
