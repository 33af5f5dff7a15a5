import {
  createHash,
  createSign,
  generateKeyPairSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@sportello/platform';
import { isValidFiscalCode } from '@sportello/schema';
import { SERVICES, type HubConfig } from './config.js';

/** A person the demo upstream knows: signing in by fiscal code gives their names. */
export interface DemoIdentity {
  fiscalCode: string;
  givenName: string;
  familyName: string;
}

/**
 * An application the demo upstream signs people in for: identity's citizen sign-in (SPID-like
 * claims: `fiscalNumber` as `TINIT-<fiscal code>`, names) or its staff sign-in (`preferred_username`).
 */
export interface DemoUpstreamClient {
  clientId: string;
  clientSecret: string;
  kind: 'citizen' | 'staff';
}

export interface DemoUpstream {
  /** The issuer, e.g. `http://127.0.0.1:4007`: the discovery document is under it. */
  issuer: string;
  port: number;
  /** Adds people it knows (the demo's population, once generated). */
  know(people: readonly DemoIdentity[]): void;
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | null;
  claims: Record<string, string>;
  expiresAt: number;
}

/** Codes are redeemed within seconds; one not redeemed by then is forgotten. */
const CODE_LIFETIME_MS = 60_000;
const ID_TOKEN_LIFETIME_SECONDS = 300;
const MAX_FORM_BYTES = 16 * 1024;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

const sameText = (a: string, b: string) => {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
};

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function signJwt(key: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createSign('SHA256')
    .update(`${header}.${body}`)
    .sign({ key, dsaEncoding: 'ieee-p1363' })
    .toString('base64url');
  return `${header}.${body}.${signature}`;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The parameters of an authorization request, kept in the login form's hidden fields. */
const AUTHORIZE_PARAMETERS = [
  'client_id',
  'redirect_uri',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
] as const;

/**
 * The demo's SPID-like identity provider: a small OpenID provider on loopback (discovery, JWKS,
 * authorization with a login page in Italian, token endpoint with PKCE S256), so the demo signs
 * people in through identity's real upstream path. A citizen types a fiscal code (the demo's people
 * are suggested by name); a clerk types a username. No password: it is a demo.
 */
export async function startDemoUpstream(options: {
  port: number;
  host?: string;
  clients: DemoUpstreamClient[];
  /** Where each client may be sent back to, by client id (its `/oauth/callback`). */
  redirectUris: (clientId: string) => string[];
  identities?: DemoIdentity[];
  /** Shown in the page title: "Comune di ...". */
  comuneName?: string;
}): Promise<DemoUpstream> {
  const host = options.host ?? '127.0.0.1';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `demo-${randomBytes(6).toString('hex')}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const identities = new Map((options.identities ?? []).map((person) => [person.fiscalCode, person]));
  const codes = new Map<string, IssuedCode>();
  let issuer = '';

  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
    });
    response.end(body);
  };
  const json = (response: ServerResponse, status: number, body: unknown) =>
    send(response, status, 'application/json', JSON.stringify(body));
  const page = (response: ServerResponse, status: number, title: string, body: string) =>
    send(
      response,
      status,
      'text/html; charset=utf-8',
      `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );

  /** The client and redirect of a request, or the reason it cannot be answered at all. */
  function checkRequest(params: URLSearchParams): DemoUpstreamClient | string {
    const client = options.clients.find((candidate) => candidate.clientId === params.get('client_id'));
    if (client === undefined) return 'applicazione sconosciuta (client_id)';
    if (!options.redirectUris(client.clientId).includes(params.get('redirect_uri') ?? ''))
      return 'indirizzo di ritorno non registrato (redirect_uri)';
    if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge'))
      return 'serve PKCE con S256 (code_challenge)';
    return client;
  }

  function loginPage(
    response: ServerResponse,
    params: URLSearchParams,
    client: DemoUpstreamClient,
    error = '',
  ) {
    const hidden = AUTHORIZE_PARAMETERS.filter((name) => params.get(name) !== null)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? '')}">`)
      .join('');
    const warning = error === '' ? '' : `<p role="alert" style="color:#b00">${escapeHtml(error)}</p>`;
    const title = `Accesso di prova${options.comuneName ? ` · Comune di ${options.comuneName}` : ''}`;
    if (client.kind === 'staff') {
      return page(
        response,
        error === '' ? 200 : 400,
        title,
        `<p>Ambiente dimostrativo: accesso del personale comunale senza password.</p>${warning}` +
          `<form method="post" action="/login">${hidden}<label>Nome utente <input name="username" autocomplete="username" required></label> ` +
          `<button type="submit">Accedi</button></form>`,
      );
    }
    const suggestions = [...identities.values()]
      .slice(0, 50)
      .map(
        (person) =>
          `<option value="${escapeHtml(person.fiscalCode)}">${escapeHtml(`${person.givenName} ${person.familyName}`)}</option>`,
      )
      .join('');
    return page(
      response,
      error === '' ? 200 : 400,
      title,
      `<p>Ambiente dimostrativo che imita SPID/CIE: accedi con un codice fiscale, senza password.</p>${warning}` +
        `<form method="post" action="/login">${hidden}` +
        `<p><label>Codice fiscale <input name="fiscal_code" list="persone" autocomplete="off" required maxlength="16"></label></p>` +
        `<p><label>Nome <input name="given_name"></label> <label>Cognome <input name="family_name"></label></p>` +
        `<p><small>Nome e cognome servono solo per un codice fiscale che il demo non conosce.</small></p>` +
        `<datalist id="persone">${suggestions}</datalist>` +
        `<button type="submit">Entra con SPID</button></form>`,
    );
  }

  /** The claims of the person the login form names, or what is wrong with it. */
  function claimsOf(form: URLSearchParams, client: DemoUpstreamClient): Record<string, string> | string {
    if (client.kind === 'staff') {
      const username = (form.get('username') ?? '').trim().toLowerCase();
      if (!/^[a-z0-9._-]{2,64}$/.test(username)) return 'Nome utente non valido (es. mario.rossi).';
      return { preferred_username: username };
    }
    const fiscalCode = (form.get('fiscal_code') ?? '').trim().toUpperCase();
    if (!isValidFiscalCode(fiscalCode)) return 'Codice fiscale non valido.';
    const known = identities.get(fiscalCode);
    const givenName = known?.givenName ?? (form.get('given_name') ?? '').trim();
    const familyName = known?.familyName ?? (form.get('family_name') ?? '').trim();
    if (givenName === '' || familyName === '') return 'Indica nome e cognome.';
    return { fiscalNumber: `TINIT-${fiscalCode}`, given_name: givenName, family_name: familyName };
  }

  async function token(request: IncomingMessage, response: ServerResponse) {
    const form = await readForm(request);
    if (form === null) return json(response, 413, { error: 'invalid_request' });
    let clientId = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? '';
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const [id = '', pass = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id);
      secret = decodeURIComponent(pass);
    }
    const client = options.clients.find((candidate) => candidate.clientId === clientId);
    if (client === undefined || !sameText(secret, client.clientSecret))
      return json(response, 401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'authorization_code')
      return json(response, 400, { error: 'unsupported_grant_type' });
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    // A code is good once, whatever the outcome.
    codes.delete(code);
    if (
      issued === undefined ||
      issued.expiresAt < Date.now() ||
      issued.clientId !== clientId ||
      issued.redirectUri !== form.get('redirect_uri')
    )
      return json(response, 400, { error: 'invalid_grant', error_description: 'unknown or expired code' });
    if (!sameText(s256(form.get('code_verifier') ?? ''), issued.challenge))
      return json(response, 400, { error: 'invalid_grant', error_description: 'PKCE verifier mismatch' });
    const now = Math.floor(Date.now() / 1000);
    const subject = issued.claims['fiscalNumber'] ?? `staff:${issued.claims['preferred_username']}`;
    const idToken = signJwt(privateKey, kid, {
      iss: issuer,
      aud: clientId,
      sub: createHash('sha256').update(subject).digest('base64url'),
      iat: now,
      exp: now + ID_TOKEN_LIFETIME_SECONDS,
      ...(issued.nonce === null ? {} : { nonce: issued.nonce }),
      ...issued.claims,
    });
    return json(response, 200, {
      access_token: randomBytes(24).toString('base64url'),
      token_type: 'Bearer',
      expires_in: ID_TOKEN_LIFETIME_SECONDS,
      id_token: idToken,
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', issuer);
    if (request.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'profile'],
        claims_supported: ['sub', 'fiscalNumber', 'given_name', 'family_name', 'preferred_username'],
        ui_locales_supported: ['it'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (request.method === 'GET' && url.pathname === '/jwks') return json(response, 200, { keys: [jwk] });
    if (request.method === 'GET' && url.pathname === '/authorize') {
      const checked = checkRequest(url.searchParams);
      if (typeof checked === 'string')
        return page(response, 400, 'Richiesta non valida', `<p>${escapeHtml(checked)}</p>`);
      return loginPage(response, url.searchParams, checked);
    }
    if (request.method === 'POST' && url.pathname === '/login') {
      const form = await readForm(request);
      if (form === null) return page(response, 413, 'Richiesta troppo grande', '');
      const checked = checkRequest(form);
      if (typeof checked === 'string')
        return page(response, 400, 'Richiesta non valida', `<p>${escapeHtml(checked)}</p>`);
      const claims = claimsOf(form, checked);
      if (typeof claims === 'string') return loginPage(response, form, checked, claims);
      const code = randomBytes(24).toString('base64url');
      for (const [stale, entry] of codes) if (entry.expiresAt < Date.now()) codes.delete(stale);
      codes.set(code, {
        clientId: checked.clientId,
        redirectUri: form.get('redirect_uri') ?? '',
        challenge: form.get('code_challenge') ?? '',
        nonce: form.get('nonce'),
        claims,
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      const back = new URL(form.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      const state = form.get('state');
      if (state !== null) back.searchParams.set('state', state);
      back.searchParams.set('iss', issuer);
      response.writeHead(303, { location: back.toString(), 'cache-control': 'no-store' });
      return response.end();
    }
    if (request.method === 'POST' && url.pathname === '/token') return token(request, response);
    return json(response, 404, { error: 'not_found' });
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) json(response, 500, { error: 'server_error' });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    issuer,
    port,
    know(people) {
      for (const person of people) identities.set(person.fiscalCode, person);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What identity is told of the demo upstream: its issuer and the two applications it knows identity as. */
export interface DemoUpstreamSettings {
  issuer: string;
  citizen: { clientId: string; clientSecret: string };
  staff: { clientId: string; clientSecret: string };
}

/**
 * Starts the demo upstream for a demo hub (`DEMO_UPSTREAM`, on by default in demo mode): on the port after the
 * services' (PORT+7), or a free one with PORT=0, with client secrets made up at each start.
 * `callbackUrl` is identity's `/oauth/callback` on the public origin, known once the hub has laid
 * out its ports. `null` when the hub does not run one.
 */
export async function startHubDemoUpstream(
  config: Pick<HubConfig, 'mode' | 'demoUpstream' | 'port' | 'comuneName' | 'environment'>,
  callbackUrl: () => string | null,
): Promise<{ upstream: DemoUpstream; settings: DemoUpstreamSettings } | null> {
  if (config.mode !== 'demo' || !config.demoUpstream) return null;
  // Both providers of one's own set: nobody would sign in at the demo's.
  const set = (name: string) => (config.environment[name] ?? '') !== '';
  if (set('UPSTREAM_OIDC_ISSUER') && set('STAFF_OIDC_ISSUER')) return null;
  const citizen = { clientId: 'sportello-identity', clientSecret: randomBytes(24).toString('base64url') };
  const staff = { clientId: 'sportello-staff', clientSecret: randomBytes(24).toString('base64url') };
  const port = config.port === 0 ? 0 : config.port + SERVICES.length + 1;
  const upstream = await startDemoUpstream({
    port,
    clients: [
      { ...citizen, kind: 'citizen' },
      { ...staff, kind: 'staff' },
    ],
    redirectUris: () => {
      const url = callbackUrl();
      return url === null ? [] : [url];
    },
    comuneName: config.comuneName,
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new ConfigError('hub', [
      {
        variable: 'DEMO_UPSTREAM',
        reason: `the demo SPID/CIE provider cannot listen on port ${port} (PORT+${SERVICES.length + 1}), which is in use: free it, choose another PORT, or set DEMO_UPSTREAM=false`,
        received: 'true',
      },
    ]);
  });
  return { upstream, settings: { issuer: upstream.issuer, citizen, staff } };
}
