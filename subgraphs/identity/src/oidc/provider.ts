import { decodeJwt } from 'jose';
import {
  createTokenVerifier,
  SCOPES,
  UnauthenticatedError,
  type Database,
  type EntityManager,
  type Logger,
  type Office,
  type RevocationView,
  type Route,
  type RouteResponse,
  type Scope,
  type ServiceRequest,
} from '@sportello/platform';
import type { IdentityConfig } from '../config.js';
import { ensureCitizen } from '../domain/accounts.js';
import { writeScopesWithoutRead } from '../domain/api-clients.js';
import { noteAppGrantUsed } from '../domain/app-grants.js';
import { activeDelegators } from '../domain/delegations.js';
import { isS256Challenge, s256Challenge, verifyPkce } from '../domain/pkce.js';
import { digestToken, generateOneTimeToken } from '../domain/secrets.js';
import { fiscalCodeFromUpstreamClaim } from '../domain/upstream-subject.js';
import { ApiClientEntity, ConsentGrantEntity, type ApiClient } from '../entities/api-client.entity.js';
import {
  AuthorizationCodeEntity,
  PendingAuthorizationEntity,
  type ParkedRequest,
  type PendingAuthorization,
} from '../entities/authorization.entity.js';
import { CitizenEntity } from '../entities/citizen.entity.js';
import { RefreshTokenEntity, type RefreshToken } from '../entities/refresh-token.entity.js';
import { StaffMemberEntity } from '../entities/staff-member.entity.js';
import { OAuthError, UpstreamProviderError } from '../errors.js';
import { revokeTokensOfReusedCode } from './code-reuse.js';
import { sameSecret } from './constant-time.js';
import { consentPage, pageLanguage } from './consent-page.js';
import { createEndpointThrottle } from './endpoint-throttle.js';
import { ID_TOKEN_CLAIMS, PERSON_CLAIMS, personClaims, signIdToken } from './id-token.js';
import type { KeyRing } from './key-ring.js';
import type { TokenGrant } from './claims.js';
import {
  clientCredentials,
  escapeHtml,
  html,
  json,
  oauthError,
  readFields,
  redirect,
  withParams,
} from './http-io.js';
import {
  browserDigest,
  browserSecretFor,
  browserSecretOf,
  CSRF_FIELD,
  csrfToken,
  interactionCookie,
  isBoundBrowser,
} from './interaction-binding.js';
import {
  claimRefreshToken,
  createRefreshToken,
  findRefreshToken,
  revokeRefreshTokens,
  revokeSignIn,
  type RefreshSession,
} from './refresh-tokens.js';
import type { TokenIssuer } from './token-issuer.js';
import { UpstreamClient } from './upstream.js';

const AUTHORIZATION_CODE_TTL_MS = 60_000;
const PENDING_TTL_MS = 10 * 60_000;

export interface OidcProviderDeps {
  config: IdentityConfig;
  database: Database;
  keys: KeyRing;
  tokens: TokenIssuer;
  logger: Logger;
  /** The revocations identity's own verifier honours, for the bearer tokens `/oauth/userinfo` reads. */
  revocations?: RevocationView | undefined;
}

/**
 * The OpenID Connect provider's HTTP endpoints: discovery, JWKS, authorization (with PKCE S256,
 * SPID/CIE brokering or the demo login, and the consent step; `iss` in every answer to the app,
 * RFC 9207), token (authorization code with an ID token and a refresh token, refresh with
 * rotation, client credentials), userinfo and, in demo mode only, `POST /auth/dev/token`.
 */
export function createOidcRoutes(deps: OidcProviderDeps): Route[] {
  const { config, database, keys, tokens, logger } = deps;
  const issuer = config.tokenIssuer.replace(/\/$/, '');
  const callbackUrl = `${issuer}/oauth/callback`;
  const upstream =
    config.upstream === null
      ? null
      : new UpstreamClient(config.upstream, config.upstream.fiscalCodeClaim, callbackUrl);
  const staffLogin = config.staffUpstream ?? null;
  const staffUpstream =
    staffLogin === null ? null : new UpstreamClient(staffLogin, staffLogin.usernameClaim, callbackUrl);
  const demo = config.mode === 'demo';
  const secureCookies = new URL(issuer).protocol === 'https:';
  const refreshLifetimes = {
    idleSeconds: config.refreshTokenIdleSeconds ?? DEFAULT_REFRESH_TOKEN_IDLE_SECONDS,
    maxAgeSeconds: config.refreshTokenMaxAgeSeconds ?? DEFAULT_REFRESH_TOKEN_MAX_AGE_SECONDS,
  };
  // Bearer tokens presented to userinfo are checked like at every service, revocations included.
  const verifier = createTokenVerifier({
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    jwks: async () => ({ keys: await keys.publishedKeys() }),
    jwksCooldownSec: 1,
    revocations: deps.revocations,
  });

  const discovery = {
    issuer: config.tokenIssuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: [...SCOPES],
    ui_locales_supported: ['it', 'en', 'de'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: [...PERSON_CLAIMS, ...ID_TOKEN_CLAIMS],
    revocation_endpoint: `${issuer}/oauth/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
  };

  /** An answer to the app at its redirect URI, naming this issuer (RFC 9207). */
  const toApp = (redirectUri: string, params: Record<string, string | null>) =>
    withParams(redirectUri, { ...params, iss: config.tokenIssuer });

  /** Finds an API client in any comune: client ids are unique across the deployment. */
  async function findClient(clientId: string | undefined): Promise<ApiClient | null> {
    if (!clientId) return null;
    return database.forkUnscoped().findOne(ApiClientEntity, { clientId });
  }

  const throttle = createEndpointThrottle({
    config,
    async clientSecretHash(clientId) {
      const client = await findClient(clientId);
      return client === null || client.revokedAt != null ? undefined : (client.secretHash ?? null);
    },
    async clientOfInteraction(id) {
      if (!id) return undefined;
      const found = await database.forkUnscoped().findOne(PendingAuthorizationEntity, { id });
      return found?.request.clientId;
    },
  });

  async function authorize(request: ServiceRequest): Promise<RouteResponse> {
    const params = request.url.searchParams;
    const client = await findClient(params.get('client_id') ?? undefined);
    // Until client and redirect URI are known good, errors go to the browser, never to a redirect.
    if (client === null || client.revokedAt != null) {
      return html(
        400,
        'Unknown application',
        '<p>The application asking you to sign in is not registered or has been revoked.</p>',
      );
    }
    const redirectUri = params.get('redirect_uri') ?? client.redirectUris[0];
    if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) {
      return html(
        400,
        'Invalid redirect',
        '<p>The application sent a redirect address it has not registered.</p>',
      );
    }
    const state = params.get('state');
    const fail = (error: string, description: string) =>
      redirect(toApp(redirectUri, { error, error_description: description, state }));
    if (params.get('response_type') !== 'code')
      return fail('unsupported_response_type', 'only response_type=code is supported');
    const challenge = params.get('code_challenge') ?? '';
    if (params.get('code_challenge_method') !== 'S256' || !isS256Challenge(challenge)) {
      return fail(
        'invalid_request',
        'PKCE is required with code_challenge_method=S256 and a 43-character challenge',
      );
    }
    const requested = (params.get('scope') ?? 'openid').split(' ').filter((scope) => scope !== '');
    const notAllowed = requested.filter(
      (scope) => !(client.scopes as string[]).includes(scope) && scope !== 'openid',
    );
    if (notAllowed.length > 0)
      return fail('invalid_scope', `scopes not allowed for this client: ${notAllowed.join(' ')}`);
    const unread = writeScopesWithoutRead(requested);
    if (unread !== null) return fail('invalid_scope', `a write scope goes with its read scope: ${unread}`);

    // The sign-in is bound to this browser: its later steps need the cookie (and the forms' token).
    const browser = browserSecretFor(request);
    const em = database.fork({ comune: client.comune });
    const pending = em.create(PendingAuthorizationEntity, {
      id: generateOneTimeToken(),
      comune: client.comune,
      request: {
        clientId: client.clientId,
        redirectUri,
        scopes: [...new Set(requested)] as Scope[],
        state,
        codeChallenge: challenge,
        nonce: params.get('nonce'),
        browser: browserDigest(browser),
        language: pageLanguage(params.get('ui_locales'), request.header('accept-language')),
      },
      upstreamVerifier: null,
      upstreamNonce: null,
      fiscalCode: null,
      expiresAt: new Date(Date.now() + PENDING_TTL_MS),
    });
    await em.flush();
    const answer = await startInteraction(em, pending, client, browser, params.get('login_hint'));
    return {
      ...answer,
      headers: {
        ...answer.headers,
        'set-cookie': interactionCookie(browser, {
          secure: secureCookies,
          maxAgeSeconds: PENDING_TTL_MS / 1000,
        }),
      },
    };
  }

  /** The first page of a sign-in: the upstream provider's login, the development login or consent. */
  async function startInteraction(
    em: EntityManager,
    pending: PendingAuthorization,
    client: ApiClient,
    browser: string,
    loginHint: string | null,
  ): Promise<RouteResponse> {
    const csrf = csrfToken(browser, pending.id);
    if (staffUpstream !== null && staffLogin!.clients.includes(client.clientId)) {
      pending.request = { ...pending.request, staff: true };
      return toUpstream(staffUpstream, em, pending);
    }
    const hint = loginHint?.toUpperCase();
    if (demo && hint) {
      const citizen = await em.findOne(CitizenEntity, { fiscalCode: hint });
      if (citizen !== null) return afterLogin(em, pending, client, citizen.fiscalCode, csrf);
    }
    if (upstream !== null) return toUpstream(upstream, em, pending);
    if (!demo) {
      return redirect(
        toApp(pending.request.redirectUri, {
          error: 'server_error',
          error_description: 'no identity provider is configured',
          state: pending.request.state,
        }),
      );
    }
    const citizens = await em.find(
      CitizenEntity,
      {},
      { orderBy: { familyName: 'asc', givenName: 'asc' }, limit: 20 },
    );
    const buttons = citizens
      .map(
        (citizen) =>
          `<button name="fiscal_code" value="${escapeHtml(citizen.fiscalCode)}">${escapeHtml(citizen.givenName)} ${escapeHtml(citizen.familyName)}</button>`,
      )
      .join('<br>');
    // Staff sign in to the comune's own apps (the staff dashboard), never to third-party ones.
    const staff = client.firstParty
      ? await em.find(StaffMemberEntity, { disabledAt: null }, { orderBy: { username: 'asc' }, limit: 20 })
      : [];
    const staffButtons = staff
      .map(
        (member) =>
          `<button name="staff_username" value="${escapeHtml(member.username)}">${escapeHtml(member.displayName)} (${escapeHtml(member.offices.join(', '))})</button>`,
      )
      .join('<br>');
    const hidden = hiddenFields(pending.id, csrf);
    return html(
      200,
      'Development login',
      `<p>Demo mode: choose a citizen to sign in as (no password).</p><form method="post" action="/oauth/login">${hidden}${buttons}</form>` +
        (staff.length > 0
          ? `<h2>Staff</h2><form method="post" action="/oauth/login">${hidden}${staffButtons}</form>`
          : ''),
    );
  }

  /** Sends the browser to an upstream provider's login, with PKCE and a nonce kept on `pending`. */
  async function toUpstream(
    client: UpstreamClient,
    em: EntityManager,
    pending: PendingAuthorization,
  ): Promise<RouteResponse> {
    const verifier = generateOneTimeToken();
    pending.upstreamVerifier = verifier;
    pending.upstreamNonce = generateOneTimeToken();
    await em.flush();
    return redirect(
      await client.authorizationUrl({
        state: pending.id,
        nonce: pending.upstreamNonce,
        codeChallenge: s256Challenge(verifier),
      }),
    );
  }

  /** The hidden fields of the login and consent forms: the interaction and its CSRF token. */
  function hiddenFields(pendingId: string, csrf: string): string {
    return (
      `<input type="hidden" name="pending" value="${escapeHtml(pendingId)}">` +
      `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}">`
    );
  }

  /**
   * The interaction a login, consent or upstream callback continues: `expired` when unknown or
   * expired, `foreign` when the request does not come from the browser that started it (no or
   * another interaction cookie) or, for a form post (`csrf` given), lacks the form's CSRF token.
   */
  async function continueInteraction(
    request: ServiceRequest,
    id: string | undefined,
    csrf?: string | null,
  ): Promise<Flow | 'expired' | 'foreign'> {
    const flow = await loadPending(id);
    if (flow === null) return 'expired';
    const bound = isBoundBrowser(
      request,
      { id: flow.pending.id, browser: flow.pending.request.browser },
      csrf,
    );
    return bound ? flow : 'foreign';
  }

  async function loadPending(id: string | undefined): Promise<Flow | null> {
    if (!id) return null;
    const found = await database.forkUnscoped().findOne(PendingAuthorizationEntity, { id });
    if (found === null || found.expiresAt <= new Date()) return null;
    const em = database.fork({ comune: found.comune });
    const pending = await em.findOneOrFail(PendingAuthorizationEntity, { id });
    const client = await em.findOne(ApiClientEntity, { clientId: pending.request.clientId });
    if (client === null || client.revokedAt != null) return null;
    return { em, pending, client };
  }

  async function afterStaffLogin(
    em: EntityManager,
    pending: PendingAuthorization,
    username: string,
  ): Promise<RouteResponse> {
    pending.staffUsername = username;
    pending.request = { ...pending.request, authTime: Date.now() };
    await em.flush();
    return issueCode(em, pending);
  }

  async function afterLogin(
    em: EntityManager,
    pending: PendingAuthorization,
    client: ApiClient,
    fiscalCode: string,
    csrf: string,
  ): Promise<RouteResponse> {
    pending.fiscalCode = fiscalCode;
    pending.request = { ...pending.request, authTime: Date.now() };
    await em.flush();
    const grant = await em.findOne(ConsentGrantEntity, {
      fiscalCode,
      clientId: client.clientId,
      revokedAt: null,
    });
    const covered = grant !== null && pending.request.scopes.every((scope) => grant.scopes.includes(scope));
    if (client.firstParty || covered) return issueCode(em, pending);
    return consentPage(
      pending.request.language ?? 'it',
      client.name,
      pending.request.scopes,
      hiddenFields(pending.id, csrf),
    );
  }

  async function issueCode(em: EntityManager, pending: PendingAuthorization): Promise<RouteResponse> {
    const request: ParkedRequest = pending.request;
    const code = generateOneTimeToken();
    em.create(AuthorizationCodeEntity, {
      comune: pending.comune,
      codeDigest: digestToken(code),
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scopes: request.scopes,
      fiscalCode: pending.fiscalCode,
      staffUsername: pending.staffUsername ?? null,
      nonce: request.nonce,
      authTime: new Date(request.authTime ?? Date.now()),
      expiresAt: new Date(Date.now() + AUTHORIZATION_CODE_TTL_MS),
      usedAt: null,
    });
    em.remove(pending);
    await em.flush();
    return redirect(toApp(request.redirectUri, { code, state: request.state }));
  }

  async function devLogin(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const csrf = fields[CSRF_FIELD] ?? null;
    const flow = await continueInteraction(request, fields.pending, csrf);
    if (flow === 'expired') return expiredPage();
    if (flow === 'foreign') return foreignBrowserPage();
    if (fields.staff_username !== undefined) {
      const staff = flow.client.firstParty
        ? await flow.em.findOne(StaffMemberEntity, { username: fields.staff_username, disabledAt: null })
        : null;
      if (staff === null)
        return html(400, 'Unknown staff member', '<p>Choose one of the listed staff members.</p>');
      return afterStaffLogin(flow.em, flow.pending, staff.username);
    }
    const citizen = await flow.em.findOne(CitizenEntity, {
      fiscalCode: (fields.fiscal_code ?? '').toUpperCase(),
    });
    if (citizen === null) return html(400, 'Unknown citizen', '<p>Choose one of the listed citizens.</p>');
    return afterLogin(flow.em, flow.pending, flow.client, citizen.fiscalCode, csrf ?? '');
  }

  async function consent(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const flow = await continueInteraction(request, fields.pending, fields[CSRF_FIELD] ?? null);
    if (flow === 'expired') return expiredPage();
    if (flow === 'foreign') return foreignBrowserPage();
    if (flow.pending.fiscalCode == null) return expiredPage();
    const { em, pending, client } = flow;
    if (fields.decision !== 'allow') {
      em.remove(pending);
      await em.flush();
      return redirect(
        toApp(pending.request.redirectUri, {
          error: 'access_denied',
          error_description: 'the citizen did not allow access',
          state: pending.request.state,
        }),
      );
    }
    const existing = await em.findOne(ConsentGrantEntity, {
      fiscalCode: pending.fiscalCode,
      clientId: client.clientId,
    });
    if (existing === null) {
      em.create(ConsentGrantEntity, {
        comune: pending.comune,
        fiscalCode: pending.fiscalCode ?? '',
        clientId: client.clientId,
        scopes: pending.request.scopes,
        grantedAt: new Date(),
        revokedAt: null,
      });
    } else {
      existing.scopes = [...new Set([...existing.scopes, ...pending.request.scopes])];
      existing.grantedAt = new Date();
      existing.revokedAt = null;
    }
    return issueCode(em, pending);
  }

  async function upstreamCallback(request: ServiceRequest): Promise<RouteResponse> {
    const url = request.url;
    if (upstream === null && staffUpstream === null) {
      return html(404, 'Not found', '<p>No upstream provider.</p>');
    }
    // A GET from the upstream provider's redirect: the cookie, no form token.
    const flow = await continueInteraction(request, url.searchParams.get('state') ?? undefined);
    if (flow === 'expired') return expiredPage();
    if (flow === 'foreign') return foreignBrowserPage();
    if (flow.pending.upstreamVerifier == null || flow.pending.upstreamNonce == null) return expiredPage();
    if (flow.pending.request.staff === true) return staffCallback(url, flow);
    const { em, pending, client } = flow;
    const claims = await upstreamClaims(
      upstream,
      url,
      pending,
      'the identity provider did not sign the citizen in',
    );
    if (!('claims' in claims)) return claims;
    const fiscalCode = fiscalCodeFromUpstreamClaim(claims.claims[config.upstream!.fiscalCodeClaim]);
    if (fiscalCode === undefined) {
      return html(
        400,
        'Not an Italian fiscal code',
        '<p>The identity provider did not give an Italian fiscal code for this person.</p>',
      );
    }
    const text = (...names: string[]) =>
      names.map((name) => claims.claims[name]).find((value): value is string => typeof value === 'string') ??
      '';
    await ensureCitizen(em, pending.comune, {
      fiscalCode,
      givenName: text('given_name', 'name'),
      familyName: text('family_name', 'familyName'),
      email: text('email') || null,
    });
    return afterLogin(em, pending, client, fiscalCode, csrfToken(browserSecretOf(request) ?? '', pending.id));
  }

  /**
   * The claims of the person an upstream provider signed in, from the callback's code; or the page
   * (or redirect) to answer when it signed nobody in or could not complete the sign-in.
   */
  async function upstreamClaims(
    client: UpstreamClient | null,
    url: URL,
    pending: PendingAuthorization,
    nobody: string,
  ): Promise<{ claims: Record<string, unknown> } | RouteResponse> {
    const code = url.searchParams.get('code');
    if (code === null || client === null) {
      return redirect(
        toApp(pending.request.redirectUri, {
          error: 'access_denied',
          error_description: nobody,
          state: pending.request.state,
        }),
      );
    }
    try {
      return await client.exchange(url.searchParams, {
        verifier: pending.upstreamVerifier ?? '',
        nonce: pending.upstreamNonce ?? '',
        state: pending.id,
      });
    } catch (error) {
      if (!(error instanceof UpstreamProviderError)) throw error;
      logger.error({ err: error.message, staff: pending.request.staff === true }, 'upstream login failed');
      return html(
        502,
        'Sign-in failed',
        '<p>The identity provider could not complete the sign-in. Try again later.</p>',
      );
    }
  }

  /** The comune's provider signed a person in for a staff app: they must be its staff in identity. */
  async function staffCallback(url: URL, flow: Flow): Promise<RouteResponse> {
    const { em, pending } = flow;
    const upstreamAnswer = await upstreamClaims(
      staffUpstream,
      url,
      pending,
      'the staff identity provider did not sign anyone in',
    );
    if (!('claims' in upstreamAnswer)) return upstreamAnswer;
    const { claims } = upstreamAnswer;
    const username = claims[staffLogin!.usernameClaim];
    const staff =
      typeof username === 'string' && username !== ''
        ? await em.findOne(StaffMemberEntity, { username, disabledAt: null })
        : null;
    if (staff === null) {
      // Who it was stays out of the log: a person, possibly not of this comune's staff at all.
      logger.warn({ comune: pending.comune, claim: staffLogin!.usernameClaim }, 'staff sign-in refused');
      return html(
        403,
        'Not a staff account',
        '<p>This account is not an enabled staff member of the comune in Sportello. Ask an administrator to add it.</p>',
      );
    }
    return afterStaffLogin(em, pending, staff.username);
  }

  async function authenticateClient(
    request: ServiceRequest,
    fields: Record<string, string>,
    requireSecret: boolean,
  ): Promise<ApiClient> {
    const { clientId, secret } = clientCredentials(request, fields);
    const client = await findClient(clientId);
    // One message for unknown, revoked and wrong-secret clients: nothing to probe.
    const refused = new OAuthError('invalid_client', 'client authentication failed');
    if (client === null || client.revokedAt != null) throw refused;
    if (client.secretHash != null) {
      if (
        secret === undefined ||
        !(await throttle.verifySecret(client.clientId, secret, client.secretHash))
      ) {
        throw refused;
      }
    } else if (requireSecret) {
      throw new OAuthError('unauthorized_client', 'a public client cannot use client credentials');
    }
    return client;
  }

  async function tokenEndpoint(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    if (fields.grant_type === 'client_credentials') return clientCredentialsGrant(request, fields);
    if (fields.grant_type === 'authorization_code') return authorizationCodeGrant(request, fields);
    if (fields.grant_type === 'refresh_token') return refreshTokenGrant(request, fields);
    throw new OAuthError(
      'unsupported_grant_type',
      'grant_type must be authorization_code, refresh_token or client_credentials',
    );
  }

  async function clientCredentialsGrant(
    request: ServiceRequest,
    fields: Record<string, string>,
  ): Promise<RouteResponse> {
    const { clientId, secret } = clientCredentials(request, fields);
    const internal = config.internalClients.find((candidate) => candidate.clientId === clientId);
    if (internal !== undefined) {
      if (secret === undefined || !sameSecret(secret, internal.secret)) {
        throw new OAuthError('invalid_client', 'client authentication failed');
      }
      const comune = fields.comune ?? config.defaultComune;
      if (!/^\d{6}$/.test(comune))
        throw new OAuthError('invalid_request', 'comune must be a 6-digit ISTAT code');
      return sendToken({ kind: 'service', comune, service: internal.service }, '');
    }
    const client = await authenticateClient(request, fields, true);
    const requested =
      fields.scope === undefined ? client.scopes : fields.scope.split(' ').filter((scope) => scope !== '');
    const notAllowed = requested.filter((scope) => !(client.scopes as string[]).includes(scope));
    if (notAllowed.length > 0)
      throw new OAuthError('invalid_scope', `scopes not allowed for this client: ${notAllowed.join(' ')}`);
    const scopes = [...new Set(requested)] as Scope[];
    return sendToken(
      {
        kind: 'client',
        comune: client.comune,
        clientId: client.clientId,
        scopes,
        rateLimitPerMinute: client.rateLimitPerMinute,
      },
      scopes.join(' '),
    );
  }

  async function authorizationCodeGrant(
    request: ServiceRequest,
    fields: Record<string, string>,
  ): Promise<RouteResponse> {
    const client = await authenticateClient(request, fields, false);
    const invalid = new OAuthError(
      'invalid_grant',
      'the authorization code is invalid, expired, already used or was issued to another client',
    );
    if (!fields.code || !fields.code_verifier)
      throw new OAuthError('invalid_request', 'code and code_verifier are required');
    const em = database.fork({ comune: client.comune });
    const code = await em.findOne(AuthorizationCodeEntity, { codeDigest: digestToken(fields.code) });
    if (code === null || code.clientId !== client.clientId) throw invalid;
    // Redeemed before: whatever that redemption issued stops working (RFC 6749 4.1.2).
    if (code.usedAt != null) {
      await revokeTokensOfReusedCode(em, code, client, logger);
      throw invalid;
    }
    if (code.expiresAt <= new Date()) throw invalid;
    if (fields.redirect_uri !== undefined && fields.redirect_uri !== code.redirectUri) throw invalid;
    if (!verifyPkce(fields.code_verifier, code.codeChallenge)) {
      // A wrong verifier burns the code: guessing verifiers for a stolen code gets one try.
      await em.nativeDelete(AuthorizationCodeEntity, { id: code.id });
      throw new OAuthError('invalid_grant', 'code_verifier does not match the code challenge');
    }
    // Claimed in one statement: of two redemptions at once, one wins and the other is a reuse.
    const claimed = await em.nativeUpdate(
      AuthorizationCodeEntity,
      { id: code.id, usedAt: null },
      { usedAt: new Date() },
    );
    if (claimed === 0) {
      await revokeTokensOfReusedCode(em, code, client, logger);
      throw invalid;
    }
    const session: RefreshSession = {
      comune: code.comune,
      clientId: client.clientId,
      fiscalCode: code.fiscalCode ?? null,
      staffUsername: code.staffUsername ?? null,
      scopes: code.scopes,
      authTime: code.authTime ?? code.expiresAt,
    };
    const grant = await tokenGrantOf(em, client, session);
    if (grant === null) throw invalid;
    return sendUserTokens(em, client, session, grant, { nonce: code.nonce ?? null });
  }

  /**
   * What an access token of `session` grants now: offices and delegations are read at each issue,
   * so a disabled member or an ended delegation stops at the next token. `null` when nothing may be
   * issued any more (staff disabled, or staff through a third-party app).
   */
  async function tokenGrantOf(
    em: EntityManager,
    client: ApiClient,
    session: RefreshSession,
  ): Promise<TokenGrant | null> {
    if (session.staffUsername != null) {
      const staff = await em.findOne(StaffMemberEntity, {
        username: session.staffUsername,
        disabledAt: null,
      });
      if (staff === null || !client.firstParty) return null;
      return { kind: 'staff', comune: client.comune, username: staff.username, offices: staff.offices };
    }
    if (session.fiscalCode == null) return null;
    const actsFor = await activeDelegators(em, session.fiscalCode);
    return client.firstParty
      ? { kind: 'citizen', comune: client.comune, fiscalCode: session.fiscalCode, actsFor }
      : {
          kind: 'client',
          comune: client.comune,
          clientId: client.clientId,
          scopes: session.scopes,
          rateLimitPerMinute: client.rateLimitPerMinute,
          onBehalfOf: { fiscalCode: session.fiscalCode, actsFor },
        };
  }

  /**
   * The token response of a sign-in: an access token, a refresh token (of a new family, or the
   * successor in `familyId`) and, for `openid`, an ID token for the app (OIDC Core 3.1.3.3).
   */
  async function sendUserTokens(
    em: EntityManager,
    client: ApiClient,
    session: RefreshSession,
    grant: TokenGrant,
    options: { nonce?: string | null; familyId?: string },
  ): Promise<RouteResponse> {
    const person = { fiscalCode: session.fiscalCode, staffUsername: session.staffUsername };
    const claims = await personClaims(em, person, session.scopes);
    if (claims === null) {
      throw new OAuthError('invalid_grant', 'the person this grant is for can no longer sign in');
    }
    const issued = await tokens.issue(grant);
    const refreshToken = createRefreshToken(em, session, {
      familyId: options.familyId,
      accessTokenId: issued.tokenId,
      lifetimes: refreshLifetimes,
    });
    await em.flush();
    if (!client.firstParty && session.fiscalCode != null) {
      await noteAppGrantUsed(em, session.fiscalCode, client.clientId);
    }
    const idToken = session.scopes.includes('openid')
      ? await signIdToken(keys, {
          issuer: config.tokenIssuer,
          clientId: client.clientId,
          ttlSeconds: config.accessTokenTtlSeconds,
          claims,
          authTime: session.authTime,
          nonce: options.nonce,
          accessToken: issued.accessToken,
        })
      : undefined;
    const scope = session.scopes.join(' ');
    return json(200, {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      refresh_token: refreshToken,
      ...(idToken === undefined ? {} : { id_token: idToken }),
      ...(scope === '' ? {} : { scope }),
    });
  }

  /**
   * Refresh (RFC 6749 6) with rotation: the presented token is replaced by a new one. A token
   * presented again after it was replaced may have been stolen: its whole family is revoked, and
   * the access tokens issued with the sign-in end as for a reused code. A withdrawn grant, a
   * revoked app, a citizen signed out everywhere or a disabled staff member end refreshing too.
   */
  async function refreshTokenGrant(
    request: ServiceRequest,
    fields: Record<string, string>,
  ): Promise<RouteResponse> {
    const client = await authenticateClient(request, fields, false);
    if (!fields.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
    const invalid = new OAuthError(
      'invalid_grant',
      'the refresh token is invalid, expired, revoked or was issued to another client',
    );
    const em = database.fork({ comune: client.comune });
    const token = await findRefreshToken(em, fields.refresh_token);
    if (token === null || token.clientId !== client.clientId) throw invalid;
    if (token.revokedAt != null) throw invalid;
    if (token.rotatedAt != null) {
      await refreshTokenReused(em, token, client);
      throw invalid;
    }
    const now = new Date();
    if (token.expiresAt <= now) throw invalid;
    const requested = fields.scope?.split(' ').filter((scope) => scope !== '');
    if (requested !== undefined && requested.some((scope) => !(token.scopes as string[]).includes(scope))) {
      throw new OAuthError('invalid_scope', 'a refresh cannot ask for scopes the sign-in did not grant');
    }
    if (!(await stillGranted(em, client, token))) {
      await revokeRefreshTokens(em, { familyId: token.familyId }, now);
      throw invalid;
    }
    if (!(await claimRefreshToken(em, token, now))) {
      await refreshTokenReused(em, token, client);
      throw invalid;
    }
    const session: RefreshSession = {
      comune: token.comune,
      clientId: token.clientId,
      fiscalCode: token.fiscalCode ?? null,
      staffUsername: token.staffUsername ?? null,
      scopes: requested === undefined ? token.scopes : ([...new Set(requested)] as Scope[]),
      authTime: token.authTime,
    };
    const grant = await tokenGrantOf(em, client, session);
    if (grant === null) throw invalid;
    return sendUserTokens(em, client, session, grant, { familyId: token.familyId });
  }

  /** Whether what `token` was issued under still stands: the citizen's grant, or their session with a first-party app. */
  async function stillGranted(em: EntityManager, client: ApiClient, token: RefreshToken): Promise<boolean> {
    if (token.fiscalCode == null) return true;
    const citizen = await em.findOne(CitizenEntity, { fiscalCode: token.fiscalCode });
    if (citizen === null) return false;
    // Signing out everywhere ends the comune's own apps' sessions (third-party apps keep their grant).
    if (client.firstParty) return citizen.signedOutAt == null || citizen.signedOutAt < token.issuedAt;
    const grant = await em.findOne(ConsentGrantEntity, {
      fiscalCode: token.fiscalCode,
      clientId: client.clientId,
      revokedAt: null,
    });
    return (
      grant !== null && token.scopes.every((scope) => grant.scopes.includes(scope) || scope === 'openid')
    );
  }

  /** A rotated refresh token presented again: its family ends, and what the sign-in gave. */
  async function refreshTokenReused(
    em: EntityManager,
    token: RefreshToken,
    client: ApiClient,
  ): Promise<void> {
    const now = new Date();
    await revokeSignIn(em, token.familyId, { kind: 'client', id: client.clientId }, now);
    await revokeTokensOfReusedCode(em, token, client, logger, now, 'refresh token');
  }

  /**
   * Token revocation (RFC 7009) by the app the token was issued to, authenticated as at the token
   * endpoint. A refresh token or an access token ends the sign-in it came from: no refresh from it,
   * and its access tokens are refused by identity, the gateway and every service within a second
   * (`access.revoked`), while the person's other sign-ins go on. Unknown tokens and other apps'
   * tokens are answered 200 all the same, and change nothing.
   */
  async function revokeEndpoint(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const client = await authenticateClient(request, fields, false);
    if (!fields.token) throw new OAuthError('invalid_request', 'token is required');
    const em = database.fork({ comune: client.comune });
    const signIn =
      (await findRefreshToken(em, fields.token)) ?? (await signInOfAccessToken(em, fields.token));
    if (signIn !== null && signIn.clientId === client.clientId) {
      await revokeSignIn(em, signIn.familyId, { kind: 'client', id: client.clientId });
    }
    return json(200, {});
  }

  /** The refresh token issued with an access token of this issuer, if the token is one. */
  async function signInOfAccessToken(em: EntityManager, token: string): Promise<RefreshToken | null> {
    let principal;
    try {
      principal = await verifier.verifyToken(token);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return null;
      throw error;
    }
    return em.findOne(RefreshTokenEntity, { accessTokenId: principal.tokenId });
  }

  /**
   * Token introspection (RFC 7662) for Sportello's own services (internal client credentials):
   * whether an access or refresh token is live, and whose it is.
   */
  async function introspect(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const { clientId, secret } = clientCredentials(request, fields);
    const internal = config.internalClients.find((candidate) => candidate.clientId === clientId);
    if (internal === undefined || secret === undefined || !sameSecret(secret, internal.secret)) {
      throw new OAuthError('invalid_client', 'client authentication failed');
    }
    if (!fields.token) throw new OAuthError('invalid_request', 'token is required');
    const inactive = json(200, { active: false });
    const refresh = await database.forkUnscoped().findOne(RefreshTokenEntity, {
      tokenDigest: digestToken(fields.token),
    });
    if (refresh !== null) {
      const em = database.fork({ comune: refresh.comune });
      const client = await em.findOne(ApiClientEntity, { clientId: refresh.clientId, revokedAt: null });
      const live =
        client !== null &&
        refresh.rotatedAt == null &&
        refresh.revokedAt == null &&
        refresh.expiresAt > new Date() &&
        (await stillGranted(em, client, refresh));
      if (!live) return inactive;
      return json(200, {
        active: true,
        token_type: 'refresh_token',
        client_id: refresh.clientId,
        sub: refresh.fiscalCode ?? refresh.staffUsername,
        scope: refresh.scopes.join(' '),
        comune: refresh.comune,
        iat: Math.floor(refresh.issuedAt.getTime() / 1000),
        exp: Math.floor(refresh.expiresAt.getTime() / 1000),
        iss: config.tokenIssuer,
      });
    }
    let principal;
    try {
      principal = await verifier.verifyToken(fields.token);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return inactive;
      throw error;
    }
    const signIn = await database
      .fork({ comune: principal.comune })
      .findOne(RefreshTokenEntity, { accessTokenId: principal.tokenId });
    if (signIn?.revokedAt != null) return inactive;
    const claims = decodeJwt(fields.token);
    return json(200, {
      ...claims,
      active: true,
      token_type: 'Bearer',
      ...(signIn === null ? {} : { client_id: signIn.clientId, scope: signIn.scopes.join(' ') }),
    });
  }

  /** The claims of the person a bearer access token was issued for (OIDC Core 5.3). */
  async function userinfo(request: ServiceRequest): Promise<RouteResponse> {
    const header = request.header('authorization') ?? '';
    const match = /^Bearer +(\S+)$/i.exec(header);
    if (match === null) {
      return json(
        401,
        { error: 'invalid_request', error_description: 'send the access token as a Bearer token' },
        {
          'www-authenticate': 'Bearer realm="sportello"',
        },
      );
    }
    const refused = (status: number, error: string, description: string) =>
      json(
        status,
        { error, error_description: description },
        {
          'www-authenticate': `Bearer realm="sportello", error="${error}", error_description="${description}"`,
        },
      );
    let principal;
    try {
      principal = await verifier.verifyToken(match[1]!);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        return refused(401, 'invalid_token', 'the access token is invalid, expired or revoked');
      }
      throw error;
    }
    const em = database.fork({ comune: principal.comune });
    // The sign-in that gave the token, when it came from the token endpoint (not the demo one).
    const signIn = await em.findOne(RefreshTokenEntity, { accessTokenId: principal.tokenId });
    if (signIn?.revokedAt != null) {
      return refused(401, 'invalid_token', 'the access token is invalid, expired or revoked');
    }
    let person: { fiscalCode?: string; staffUsername?: string };
    let scopes: readonly string[];
    if (principal.kind === 'citizen') {
      // The comune's own apps sign citizens in without a consent step: the scopes they asked for.
      person = { fiscalCode: principal.fiscalCode };
      scopes = signIn?.scopes ?? ['openid', 'profile'];
    } else if (principal.kind === 'staff') {
      person = { staffUsername: principal.username };
      scopes = signIn?.scopes ?? ['openid', 'profile'];
    } else if (principal.kind === 'client' && principal.onBehalfOf !== undefined) {
      person = { fiscalCode: principal.onBehalfOf.fiscalCode };
      scopes = principal.scopes;
    } else {
      return refused(403, 'insufficient_scope', 'the access token was not issued for a person');
    }
    if (!scopes.includes('openid')) {
      return refused(403, 'insufficient_scope', 'the access token was not granted the openid scope');
    }
    const claims = await personClaims(em, person, scopes);
    if (claims === null)
      return refused(401, 'invalid_token', 'the person of this token can no longer sign in');
    return json(200, claims);
  }

  async function sendToken(grant: TokenGrant, scope: string): Promise<RouteResponse> {
    const issued = await tokens.issue(grant);
    return json(200, {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ...(scope === '' ? {} : { scope }),
    });
  }

  async function devToken(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const comune = fields.comune ?? config.defaultComune;
    if (!/^\d{6}$/.test(comune))
      throw new OAuthError('invalid_request', 'comune must be a 6-digit ISTAT code');
    const em = database.fork({ comune });
    let grant: TokenGrant | undefined;
    let subject = '';
    const wanted = fields.subject?.trim();
    if (wanted) {
      const citizen = await em.findOne(CitizenEntity, { fiscalCode: wanted.toUpperCase() });
      if (citizen !== null) {
        grant = {
          kind: 'citizen',
          comune,
          fiscalCode: citizen.fiscalCode,
          actsFor: await activeDelegators(em, citizen.fiscalCode),
        };
        subject = citizen.fiscalCode;
      } else {
        const staff = await em.findOne(StaffMemberEntity, { username: wanted, disabledAt: null });
        if (staff !== null) {
          grant = { kind: 'staff', comune, username: staff.username, offices: staff.offices };
          subject = staff.username;
        }
      }
      if (grant === undefined)
        throw new OAuthError(
          'invalid_request',
          'subject is neither a seeded citizen nor a staff username of this comune',
        );
    } else if (fields.kind === 'citizen') {
      const citizen = await em.findOne(CitizenEntity, {}, { orderBy: { fiscalCode: 'asc' } });
      if (citizen === null) throw new OAuthError('invalid_request', 'no citizen is seeded in this comune');
      grant = {
        kind: 'citizen',
        comune,
        fiscalCode: citizen.fiscalCode,
        actsFor: await activeDelegators(em, citizen.fiscalCode),
      };
      subject = citizen.fiscalCode;
    } else if (fields.kind === 'staff') {
      const office = fields.office as Office | undefined;
      const members = await em.find(
        StaffMemberEntity,
        { disabledAt: null },
        { orderBy: { username: 'asc' } },
      );
      const staff = members.find((member) => office === undefined || member.offices.includes(office));
      if (staff === undefined)
        throw new OAuthError(
          'invalid_request',
          `no staff member${office ? ` of office ${office}` : ''} is seeded in this comune`,
        );
      grant = { kind: 'staff', comune, username: staff.username, offices: staff.offices };
      subject = staff.username;
    } else if (fields.kind === 'client') {
      const client = await em.findOne(ApiClientEntity, { clientId: DEMO_API_CLIENT_ID, revokedAt: null });
      if (client === null)
        throw new OAuthError('invalid_request', 'the demo API client is not seeded in this comune');
      grant = {
        kind: 'client',
        comune,
        clientId: client.clientId,
        scopes: client.scopes,
        rateLimitPerMinute: client.rateLimitPerMinute,
      };
      subject = client.clientId;
    } else {
      throw new OAuthError(
        'invalid_request',
        'send {"subject": "<fiscal code or staff username>"} or {"kind": "citizen"|"staff"|"client"}',
      );
    }
    const issued = await tokens.issue(grant);
    return json(200, {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      subject,
    });
  }

  /** Answers OAuth errors as RFC 6749 JSON; anything else is a server error. */
  const guarded =
    (handler: (request: ServiceRequest) => Promise<RouteResponse>) =>
    async (request: ServiceRequest): Promise<RouteResponse> => {
      try {
        return await handler(request);
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(error);
        throw error;
      }
    };

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/.well-known/openid-configuration',
      handler: () => json(200, discovery, { 'cache-control': 'public, max-age=300' }),
    },
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      // Short cache: a freshly rotated key must reach verifiers before it signs much.
      handler: async () =>
        json(200, { keys: await keys.publishedKeys() }, { 'cache-control': 'public, max-age=60' }),
    },
    { method: 'GET', path: '/oauth/authorize', handler: guarded(authorize) },
    {
      method: 'POST',
      path: '/oauth/consent',
      handler: guarded((request) => throttle.interaction(request, consent)),
    },
    { method: 'GET', path: '/oauth/callback', handler: guarded(upstreamCallback) },
    {
      method: 'POST',
      path: '/oauth/revoke',
      // Browser apps sign out from their own origin, like they redeem codes.
      handler: async (request) =>
        withCorsOpen(await guarded((request) => throttle.token(request, revokeEndpoint))(request)),
    },
    {
      method: 'POST',
      path: '/oauth/introspect',
      handler: guarded((request) => throttle.token(request, introspect)),
    },
    { method: 'GET', path: '/oauth/userinfo', handler: guarded(userinfo) },
    { method: 'POST', path: '/oauth/userinfo', handler: guarded(userinfo) },
    {
      method: 'POST',
      path: '/oauth/token',
      // Browser apps (public clients with PKCE) redeem codes from their own origin; the answer
      // depends on no cookie, so any origin may read it.
      handler: async (request) =>
        withCorsOpen(await guarded((request) => throttle.token(request, tokenEndpoint))(request)),
    },
  ];
  // Outside demo mode these routes do not exist at all: the server answers 404.
  if (demo) {
    routes.push(
      {
        method: 'POST',
        path: '/oauth/login',
        handler: guarded((request) => throttle.interaction(request, devLogin)),
      },
      { method: 'POST', path: '/auth/dev/token', handler: guarded(devToken) },
    );
  }
  return routes;
}

/** An authorization request in progress, with the entity manager of its comune and its app. */
interface Flow {
  em: EntityManager;
  pending: PendingAuthorization;
  client: ApiClient;
}

function expiredPage(): RouteResponse {
  return html(400, 'Expired', '<p>This sign-in has expired: start again from the application.</p>');
}

/** A login or consent post that the browser which started the sign-in did not send. */
function foreignBrowserPage(): RouteResponse {
  return html(
    403,
    'Sign-in refused',
    '<p>This step of the sign-in was not sent by the browser that started it, or the form is out of date. ' +
      'Nothing was shared with the application. Start again from the application, in this browser.</p>',
  );
}

function withCorsOpen(response: RouteResponse): RouteResponse {
  return { ...response, headers: { ...response.headers, 'access-control-allow-origin': '*' } };
}

/** A refresh token unused this long expires: a working day. */
export const DEFAULT_REFRESH_TOKEN_IDLE_SECONDS = 8 * 3600;
/** No refresh token outlives its sign-in by more than this. */
export const DEFAULT_REFRESH_TOKEN_MAX_AGE_SECONDS = 30 * 86_400;

/** Client id of the demo third-party app seeded in demo mode. */
export const DEMO_API_CLIENT_ID = 'demo-app';
