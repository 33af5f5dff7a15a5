import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Provider, {
  errors,
  interactionPolicy,
  type Account,
  type AccountClaims,
  type AdapterConstructor,
  type AdapterPayload,
  type ClientMetadata,
  type Configuration,
  type InteractionResults,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import {
  createTokenVerifier,
  ISSUED_AT_MS_CLAIM,
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
  type TokenPrincipal,
} from '@sportello/platform';
import type { IdentityConfig } from '../config.js';
import { ensureCitizen } from '../domain/accounts.js';
import { writeScopesWithoutRead } from '../domain/api-clients.js';
import { noteAppGrantUsed, revokeAppGrant } from '../domain/app-grants.js';
import { activeDelegators } from '../domain/delegations.js';
import { digestToken } from '../domain/secrets.js';
import { fiscalCodeFromUpstreamClaim } from '../domain/upstream-subject.js';
import { ApiClientEntity, ConsentGrantEntity, type ApiClient } from '../entities/api-client.entity.js';
import { CitizenEntity } from '../entities/citizen.entity.js';
import { OidcPayloadEntity } from '../entities/oidc-payload.entity.js';
import { RefreshTokenEntity, type RefreshToken } from '../entities/refresh-token.entity.js';
import { StaffMemberEntity } from '../entities/staff-member.entity.js';
import { OAuthError, UpstreamProviderError } from '../errors.js';
import { accessTokenClaims, type TokenGrant } from './claims.js';
import { consentPage, pageLanguage } from './consent-page.js';
import { sameSecret } from './constant-time.js';
import { createEndpointThrottle } from './endpoint-throttle.js';
import { clientCredentials, escapeHtml, html, json, oauthError, readFields, redirect } from './http-io.js';
import { ID_TOKEN_CLAIMS, PERSON_CLAIMS, personClaims } from './id-token.js';
import { SIGNING_ALGORITHM, type KeyRing } from './key-ring.js';
import { logoutPage, signedOutPage } from './logout-pages.js';
import { runNodeHandler } from './node-handler.js';
import { createPayloadAdapter } from './payload-adapter.js';
import { revokeSignIn } from './refresh-tokens.js';
import type { TokenIssuer } from './token-issuer.js';
import { UpstreamClient } from './upstream.js';

/** Where the provider's endpoints live on the public origin (identity serves them at its root). */
export const OIDC_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  jwks: '/.well-known/jwks.json',
  end_session: '/oauth/logout',
  userinfo: '/oauth/userinfo',
} as const;

/** Where a sign-in's steps (login, consent, the upstream's answer) are served, by interaction id. */
export const INTERACTION_PATH = '/oauth/interaction/';

/** A fiscal code as accounts carry it; a staff member's account is their username. */
const FISCAL_CODE = /^[A-Z0-9]{16}$/;

/** The OpenID scopes: about the person, not the API. */
const OPENID_SCOPES = new Set(['openid', 'profile', 'offline_access']);

/** The CSRF field of the login and consent forms. */
const CSRF_FIELD = 'csrf';

export interface OidcProviderDeps {
  config: IdentityConfig;
  database: Database;
  keys: KeyRing;
  tokens: TokenIssuer;
  logger: Logger;
  /** The revocations identity's own verifier honours, for the bearer tokens `/oauth/userinfo` reads. */
  revocations?: RevocationView | undefined;
}

/** The provider signing with one key set, and what was derived from that set. */
interface ProviderInstance {
  kid: string;
  provider: Provider;
  callback: ReturnType<Provider['callback']>;
  /** Keys the sign-in steps derive their form tokens and upstream checks from. */
  secret: Buffer;
}

/**
 * Identity's OpenID provider, on `oidc-provider` (OpenID Certified): discovery, JWKS, authorization
 * code with PKCE (S256 only) and `iss` in the answer (RFC 9207), ID tokens, refresh tokens rotated at
 * each use (a reused one ends its grant), revocation (RFC 7009), introspection (RFC 7662) for
 * Sportello's own services, client credentials, RP-initiated logout, and JWT access tokens for the
 * API carrying the claims every service's verifier reads. Identity keeps its domain: API clients and
 * internal services are the provider's clients, citizens and staff its accounts, a citizen's consent
 * to an app is identity's consent grant, and people sign in through the upstream SPID/CIE provider
 * (or the comune's staff provider; the development login in demo mode) in the sign-in steps served
 * under {@link INTERACTION_PATH}. In demo mode `POST /auth/dev/token` issues tokens directly.
 */
export function createOidcRoutes(deps: OidcProviderDeps): Route[] {
  const { config, database, keys, tokens, logger } = deps;
  const issuer = config.tokenIssuer.replace(/\/$/, '');
  const origin = new URL(issuer);
  /** The resource every access token is for: Sportello's GraphQL API. */
  const apiResource = `${issuer}/graphql`;
  const callbackUrl = `${issuer}/oauth/callback`;
  const demo = config.mode === 'demo';
  const internalClients = new Map(config.internalClients.map((client) => [client.clientId, client]));
  const upstream =
    config.upstream === null
      ? null
      : new UpstreamClient(config.upstream, config.upstream.fiscalCodeClaim, callbackUrl);
  const staffLogin = config.staffUpstream ?? null;
  const staffUpstream =
    staffLogin === null ? null : new UpstreamClient(staffLogin, staffLogin.usernameClaim, callbackUrl);
  const idleSeconds = config.refreshTokenIdleSeconds ?? DEFAULT_REFRESH_TOKEN_IDLE_SECONDS;
  const maxAgeSeconds = config.refreshTokenMaxAgeSeconds ?? DEFAULT_REFRESH_TOKEN_MAX_AGE_SECONDS;

  // Bearer tokens presented to userinfo and introspection are checked like at every service.
  const verifier = createTokenVerifier({
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    jwks: async () => ({ keys: await keys.publishedKeys() }),
    jwksCooldownSec: 1,
    revocations: deps.revocations,
  });

  async function findClient(clientId: string | undefined): Promise<ApiClient | null> {
    if (!clientId) return null;
    return database.forkUnscoped().findOne(ApiClientEntity, { clientId, revokedAt: null });
  }

  const throttle = createEndpointThrottle({
    config,
    async clientSecretHash(clientId) {
      const client = await findClient(clientId);
      return client === null ? undefined : (client.secretHash ?? null);
    },
    async clientOfInteraction(uid) {
      if (!uid) return undefined;
      const { provider } = await current();
      const interaction = await provider.Interaction.find(uid);
      const clientId = interaction?.params.client_id;
      return typeof clientId === 'string' ? clientId : undefined;
    },
  });

  /** An API client as the provider sees it; a confidential one carries its secret's hash. */
  function clientMetadata(client: ApiClient): ClientMetadata {
    const confidential = client.secretHash != null;
    const redirects = client.redirectUris.length > 0;
    return {
      client_id: client.clientId,
      client_name: client.name,
      ...(confidential
        ? { client_secret: client.secretHash!, token_endpoint_auth_method: 'client_secret_post' }
        : { token_endpoint_auth_method: 'none' }),
      redirect_uris: client.redirectUris,
      response_types: redirects ? ['code'] : [],
      grant_types: [
        ...(redirects ? ['authorization_code', 'refresh_token'] : []),
        ...(confidential ? ['client_credentials'] : []),
      ],
      scope: [...new Set(['openid', 'offline_access', ...client.scopes])].join(' '),
      id_token_signed_response_alg: SIGNING_ALGORITHM,
      post_logout_redirect_uris: client.redirectUris,
    };
  }

  /** The provider's storage, with clients read from identity: registered apps and its own services. */
  const Payloads = createPayloadAdapter(() => database.forkUnscoped(), { clockToleranceSeconds: 15 });
  class IdentityAdapter extends Payloads {
    private readonly model: string;
    constructor(name: string) {
      super(name);
      this.model = name;
    }

    override async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model !== 'Client') return (await super.find(id)) ?? undefined;
      const internal = internalClients.get(id);
      if (internal !== undefined) {
        return {
          client_id: internal.clientId,
          client_secret: internal.secret,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        };
      }
      const client = await findClient(id);
      return client === null ? undefined : (clientMetadata(client) as AdapterPayload);
    }

    /** Of two redemptions of one code (or refresh token) at once, one wins; the other is refused. */
    override async consume(id: string): Promise<void> {
      if (this.model !== 'AuthorizationCode' && this.model !== 'RefreshToken') return super.consume(id);
      const claimed = await database
        .forkUnscoped()
        .nativeUpdate(
          OidcPayloadEntity,
          { kind: this.model, id, consumedAt: null },
          { consumedAt: new Date() },
        );
      if (claimed === 0) throw new errors.InvalidGrant('the code or refresh token was used already');
    }
  }

  /**
   * Whether the sign-in behind a refresh still stands: the person can sign in, a third-party app
   * still has the citizen's grant for these scopes, a first-party app's session was not ended by
   * "sign out everywhere" since the sign-in.
   */
  async function stillGranted(
    em: EntityManager,
    client: ApiClient,
    accountId: string,
    scopes: readonly string[],
    authTime: Date,
  ): Promise<boolean> {
    if (!FISCAL_CODE.test(accountId)) return true;
    const citizen = await em.findOne(CitizenEntity, { fiscalCode: accountId });
    if (citizen === null) return false;
    if (client.firstParty) return citizen.signedOutAt == null || citizen.signedOutAt < authTime;
    const grant = await em.findOne(ConsentGrantEntity, {
      fiscalCode: accountId,
      clientId: client.clientId,
      revokedAt: null,
    });
    return (
      grant !== null &&
      scopes.every((scope) => OPENID_SCOPES.has(scope) || grant.scopes.includes(scope as Scope))
    );
  }

  /** Who an access token of `client` for `accountId` is issued to, read at each issue. */
  async function grantOf(
    em: EntityManager,
    client: ApiClient,
    accountId: string,
    scopes: readonly string[],
  ): Promise<TokenGrant | null> {
    if (!FISCAL_CODE.test(accountId)) {
      const staff = await em.findOne(StaffMemberEntity, { username: accountId, disabledAt: null });
      if (staff === null || !client.firstParty) return null;
      return { kind: 'staff', comune: client.comune, username: staff.username, offices: staff.offices };
    }
    const actsFor = await activeDelegators(em, accountId);
    return client.firstParty
      ? { kind: 'citizen', comune: client.comune, fiscalCode: accountId, actsFor }
      : {
          kind: 'client',
          comune: client.comune,
          clientId: client.clientId,
          scopes: scopes.filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope)),
          rateLimitPerMinute: client.rateLimitPerMinute,
          onBehalfOf: { fiscalCode: accountId, actsFor },
        };
  }

  /** The claims of an access token the provider is about to sign (it adds iss, sub, aud, iat, exp, jti, scope). */
  async function tokenClaims(
    ctx: KoaContextWithOIDC,
    token: { jti: string; clientId?: string; grantId?: string; accountId?: string; scopes: Set<string> },
  ): Promise<Record<string, unknown>> {
    const clientId = token.clientId ?? '';
    const internal = internalClients.get(clientId);
    if (internal !== undefined) {
      const comune = (ctx.oidc.params?.comune as string | undefined) ?? config.defaultComune;
      if (!/^\d{6}$/.test(comune)) throw new errors.InvalidRequest('comune must be a 6-digit ISTAT code');
      return accessTokenClaims({ kind: 'service', comune, service: internal.service }, token.jti);
    }
    const client = await findClient(clientId);
    if (client === null) throw new errors.InvalidClient('client authentication failed');
    const scopes = [...token.scopes];
    const em = database.fork({ comune: client.comune });
    if (token.accountId === undefined) {
      const grant = {
        kind: 'client' as const,
        comune: client.comune,
        clientId: client.clientId,
        scopes: scopes.filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope)),
        rateLimitPerMinute: client.rateLimitPerMinute,
      };
      // A client-credentials token is remembered too (by id), a family of its own: the app may
      // revoke it alone (RFC 7009), and its other tokens go on.
      await recordAccessToken(em, token.jti, config.accessTokenTtlSeconds, {
        comune: client.comune,
        familyId: signInId(token.jti),
        grantId: null,
        clientId: client.clientId,
        fiscalCode: null,
        staffUsername: null,
        scopes: grant.scopes,
        authTime: null,
      });
      return accessTokenClaims(grant, token.jti);
    }
    const source = ctx.oidc.entities.RefreshToken ?? ctx.oidc.entities.AuthorizationCode;
    const authTime = new Date((source?.authTime ?? Math.floor(Date.now() / 1000)) * 1000);
    const grant = await grantOf(em, client, token.accountId, scopes);
    // A sign-in ended through one of its access tokens (revoked by the app) refreshes no more.
    const ended =
      token.grantId !== undefined &&
      (await em.count(RefreshTokenEntity, { familyId: signInId(token.grantId), revokedAt: { $ne: null } })) >
        0;
    if (ended || grant === null || !(await stillGranted(em, client, token.accountId, scopes, authTime))) {
      throw new errors.InvalidGrant('the grant was withdrawn, or the person can no longer sign in');
    }
    // The sign-in's access tokens are remembered (by id) so that ending it ends them too.
    await recordAccessToken(em, token.jti, config.accessTokenTtlSeconds, {
      comune: client.comune,
      familyId: signInId(token.grantId ?? token.jti),
      grantId: token.grantId ?? null,
      clientId: client.clientId,
      fiscalCode: grant.kind === 'staff' ? null : token.accountId,
      staffUsername: grant.kind === 'staff' ? grant.username : null,
      scopes: scopes as Scope[],
      authTime,
    });
    if (!client.firstParty) await noteAppGrantUsed(em, token.accountId, client.clientId);
    return accessTokenClaims(grant, token.jti);
  }

  /**
   * A grant the provider ended (a reused code or refresh token, a revocation): its access tokens end
   * too. A code or refresh token presented again may have been stolen: a third-party app also loses
   * the citizen's consent, and has to ask again.
   */
  async function grantRevoked(ctx: KoaContextWithOIDC, grantId: string): Promise<void> {
    const clientId = ctx.oidc.client?.clientId;
    const client = await findClient(clientId);
    logger.info({ client: clientId, route: ctx.oidc.route }, 'sign-in ended');
    if (client === null) return;
    const em = database.fork({ comune: client.comune });
    const actor = { kind: 'client' as const, id: client.clientId };
    await revokeSignIn(em, signInId(grantId), actor);
    if (ctx.oidc.route !== 'token' || client.firstParty) return;
    const [signIn] = await em.find(
      RefreshTokenEntity,
      { familyId: signInId(grantId) },
      { orderBy: { issuedAt: 'asc' }, limit: 1 },
    );
    const fiscalCode = signIn?.fiscalCode;
    if (fiscalCode == null) return;
    const consent = await em.findOne(ConsentGrantEntity, {
      fiscalCode,
      clientId: client.clientId,
      revokedAt: null,
    });
    // A consent given again after this sign-in is not the one its stolen token came from.
    if (consent !== null && consent.grantedAt <= signIn!.issuedAt) {
      await revokeAppGrant(em, fiscalCode, client.clientId, actor);
    }
  }

  /**
   * Ends the provider's grant of a sign-in identity ended, as the provider ends one (`revokeByGrantId`
   * of its codes and tokens, then the grant): the browser's session still names it for the app, but
   * the next authorization finds no grant there and makes a new one, a new sign-in whose tokens work.
   */
  async function endProviderGrant(provider: Provider, grantId: string): Promise<void> {
    // One call ends them all: the adapter deletes the codes and tokens of every model of the grant.
    await provider.RefreshToken.revokeByGrantId(grantId);
    await (await provider.Grant.find(grantId))?.destroy();
  }

  /**
   * Whether a grant the browser's session names for an app may serve a new authorization: its
   * sign-in was not ended (an access or refresh token revoked, a code or refresh token reused, the
   * citizen's grant to the app withdrawn) and, for an app acting for a citizen, the citizen's consent
   * to the app stands. Identity ends sign-ins in its own records; this catches what did not end the
   * provider's grant with them (records from before they named it, a withdrawn grant).
   */
  async function grantStands(grant: {
    jti: string;
    clientId?: string;
    accountId?: string;
  }): Promise<boolean> {
    const em = database.forkUnscoped();
    const ended = await em.count(RefreshTokenEntity, {
      familyId: signInId(grant.jti),
      revokedAt: { $ne: null },
    });
    if (ended > 0) return false;
    const client = await findClient(grant.clientId);
    if (client === null || client.firstParty || !FISCAL_CODE.test(grant.accountId ?? '')) return true;
    const consent = await em.findOne(ConsentGrantEntity, {
      fiscalCode: grant.accountId!,
      clientId: client.clientId,
      revokedAt: null,
    });
    return consent !== null;
  }

  /**
   * The provider's prompts, with one more reason to sign in: a citizen who signed out everywhere
   * after the browser's session signed them in is asked to sign in again, so that the new sign-in
   * is after it (its tokens work) rather than the session's, which it ended.
   */
  function prompts(): interactionPolicy.DefaultPolicy {
    const { Check } = interactionPolicy;
    const policy = interactionPolicy.base();
    policy.get('login')!.checks.add(
      new Check('signed_out', 'the citizen signed out everywhere since signing in', async (ctx) => {
        const { accountId, loginTs } = ctx.oidc.session ?? {};
        if (accountId === undefined || !FISCAL_CODE.test(accountId)) return Check.NO_NEED_TO_PROMPT;
        const citizen = await database.forkUnscoped().findOne(CitizenEntity, { fiscalCode: accountId });
        const signedOutAt = citizen?.signedOutAt;
        // As refreshing judges it: a sign-in counts when it is after the sign-out (`auth_time`, seconds).
        return signedOutAt != null && (loginTs ?? 0) * 1000 <= signedOutAt.getTime()
          ? Check.REQUEST_PROMPT
          : Check.NO_NEED_TO_PROMPT;
      }),
    );
    return policy;
  }

  /** A code presented with a wrong verifier or redirect is burnt: the right one fails after it. */
  async function burnRefusedCode(ctx: KoaContextWithOIDC, provider: Provider): Promise<void> {
    const { params, client } = ctx.oidc;
    if (ctx.status !== 400 || params?.grant_type !== 'authorization_code' || client === undefined) return;
    const code = await provider.AuthorizationCode.find(String(params.code ?? ''), { ignoreExpiration: true });
    if (code !== undefined && code.clientId === client.clientId) await code.destroy();
  }

  function configuration(jwks: JWK[], cookieKeys: string[]): Configuration {
    return {
      adapter: IdentityAdapter as unknown as AdapterConstructor,
      clients: [],
      jwks: { keys: jwks },
      routes: OIDC_ROUTES,
      scopes: [...new Set(['openid', 'offline_access', ...SCOPES])],
      claims: {
        // Every ID token says when the person signed in (OIDC Core 2), whatever the app asked.
        openid: ['sub', 'fiscal_number', 'auth_time'],
        profile: [
          'given_name',
          'family_name',
          'name',
          'email',
          'email_verified',
          'locale',
          'preferred_username',
        ],
      },
      extraParams: ['comune'],
      clientDefaults: {
        id_token_signed_response_alg: SIGNING_ALGORITHM,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      enabledJWA: {
        idTokenSigningAlgValues: [SIGNING_ALGORITHM],
        userinfoSigningAlgValues: [SIGNING_ALGORITHM],
        introspectionSigningAlgValues: [SIGNING_ALGORITHM],
        authorizationSigningAlgValues: [SIGNING_ALGORITHM],
      },
      responseTypes: ['code'],
      pkce: { required: () => true },
      cookies: {
        keys: cookieKeys,
        long: { signed: true, httpOnly: true, sameSite: 'lax' },
        short: { signed: true, httpOnly: true, sameSite: 'lax' },
      },
      // Browser apps (public clients with PKCE) redeem codes and refresh from their own origin.
      clientBasedCORS: () => true,
      features: {
        devInteractions: { enabled: false },
        // The API's access tokens serve identity's own userinfo endpoint (below).
        userinfo: { enabled: false },
        revocation: { enabled: true },
        introspection: {
          enabled: true,
          // Only Sportello's own services learn what a token is.
          allowedPolicy: (_ctx, client) => Promise.resolve(internalClients.has(client.clientId)),
        },
        clientCredentials: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          // Sportello's own pages, in the person's language as the consent page is, in place of the
          // library's English ones. The signed-out page, reached by the provider's redirect without
          // the request's `ui_locales`, speaks the language the confirmation spoke.
          logoutSource: (ctx, form) => {
            const uiLocales = ctx.oidc.params?.ui_locales;
            const language = pageLanguage(
              typeof uiLocales === 'string' ? uiLocales : null,
              ctx.get('accept-language') || undefined,
            );
            ctx.cookies.set(LOGOUT_LANGUAGE_COOKIE, language, {
              path: OIDC_ROUTES.end_session,
              httpOnly: true,
              sameSite: 'lax',
              maxAge: 10 * 60_000,
            });
            sendPage(ctx, logoutPage(language, form, appNameOf(ctx)));
            return Promise.resolve();
          },
          postLogoutSuccessSource: (ctx) => {
            const language = pageLanguage(
              ctx.cookies.get(LOGOUT_LANGUAGE_COOKIE) ?? null,
              ctx.get('accept-language') || undefined,
            );
            ctx.cookies.set(LOGOUT_LANGUAGE_COOKIE, null, { path: OIDC_ROUTES.end_session });
            sendPage(ctx, signedOutPage(language, appNameOf(ctx)));
            return Promise.resolve();
          },
        },
        resourceIndicators: {
          enabled: true,
          defaultResource: (_ctx, _client, oneOf) => Promise.resolve(oneOf ?? apiResource),
          useGrantedResource: () => Promise.resolve(true),
          getResourceServerInfo: (_ctx, indicator) => {
            if (indicator !== apiResource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
            return Promise.resolve({
              scope: SCOPES.join(' '),
              audience: config.tokenAudience,
              accessTokenTTL: config.accessTokenTtlSeconds,
              accessTokenFormat: 'jwt' as const,
              jwt: { sign: { alg: SIGNING_ALGORITHM } },
            });
          },
        },
      },
      discovery: {
        userinfo_endpoint: `${issuer}${OIDC_ROUTES.userinfo}`,
        ui_locales_supported: ['it', 'en', 'de'],
        claims_supported: [...PERSON_CLAIMS, ...ID_TOKEN_CLAIMS],
      },
      ttl: {
        AccessToken: config.accessTokenTtlSeconds,
        ClientCredentials: config.accessTokenTtlSeconds,
        AuthorizationCode: 60,
        IdToken: config.accessTokenTtlSeconds,
        Interaction: 10 * 60,
        Session: 14 * 86_400,
        Grant: maxAgeSeconds,
        // Each rotation gives a full idle period, never past the sign-in's maximum age.
        RefreshToken: (_ctx, token) =>
          Math.max(1, Math.min(idleSeconds, maxAgeSeconds - token.totalLifetime())),
      },
      issueRefreshToken: (_ctx, client) => Promise.resolve(client.grantTypeAllowed('refresh_token')),
      rotateRefreshToken: () => true,
      expiresWithSession: () => Promise.resolve(false),
      // The provider's default, but a grant whose sign-in identity ended is ended, not reused.
      loadExistingGrant: async (ctx) => {
        const grantId =
          ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
        if (!grantId) return undefined;
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant === undefined || (await grantStands(grant))) return grant;
        await endProviderGrant(ctx.oidc.provider, grantId);
        return undefined;
      },
      allowOmittingSingleRegisteredRedirectUri: true,
      conformIdTokenClaims: false,
      interactions: {
        policy: prompts(),
        url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}`,
      },
      findAccount: async (_ctx, sub): Promise<Account | undefined> => {
        const em = database.forkUnscoped();
        const citizen = FISCAL_CODE.test(sub);
        const exists = citizen
          ? await em.findOne(CitizenEntity, { fiscalCode: sub })
          : await em.findOne(StaffMemberEntity, { username: sub, disabledAt: null });
        if (exists === null) return undefined;
        const person = citizen ? { fiscalCode: sub } : { staffUsername: sub };
        return {
          accountId: sub,
          claims: async (_use, scope) =>
            ((await personClaims(em, person, scope.split(' '))) as AccountClaims | null) ?? { sub },
        };
      },
      extraTokenClaims: async (ctx, token) => {
        // Taken before anything the token grants is checked: a revocation after it ends the token.
        const checkedAt = Date.now();
        return { ...(await tokenClaims(ctx, token as never)), [ISSUED_AT_MS_CLAIM]: checkedAt };
      },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = errorPage(String(out.error_description ?? out.error)).body;
        return Promise.resolve();
      },
    };
  }

  let instance: Promise<ProviderInstance> | undefined;

  /**
   * The provider signing with the key ring's active key: built again when the ring rotated (the
   * retired keys stay in its set, so tokens they signed still verify, and cookies they keyed still open).
   */
  async function current(): Promise<ProviderInstance> {
    const active = await keys.activeKey();
    const built = instance === undefined ? undefined : await instance.catch(() => undefined);
    if (built !== undefined && built.kid === active.kid) return built;
    instance = (async () => {
      const jwks = (await keys.signingJwks()) as (JWK & { d?: string })[];
      // Cookie and form keys come from the signing keys: every replica derives the same ones.
      const derived = jwks.map((jwk) =>
        Buffer.from(hkdfSync('sha256', jwk.d ?? '', 'sportello-identity', 'oidc-cookies', 32)),
      );
      const provider = new Provider(
        issuer,
        configuration(
          jwks,
          derived.map((key) => key.toString('base64url')),
        ),
      );
      provider.proxy = true;
      const compare = provider.Client.prototype.compareClientSecret;
      // Apps' secrets are stored as scrypt hashes; internal services' are compared in constant time.
      provider.Client.prototype.compareClientSecret = async function (
        this: { clientId: string; clientSecret?: string },
        actual: string,
      ) {
        if (internalClients.has(this.clientId)) return compare.call(this, actual);
        return (
          this.clientSecret !== undefined && throttle.verifySecret(this.clientId, actual, this.clientSecret)
        );
      };
      // A sign-in ended while answering a request is ended before the answer leaves.
      const ending = new WeakMap<object, Promise<void>[]>();
      provider.use(async (ctx, next) => {
        try {
          await next();
        } finally {
          await Promise.all(ending.get(ctx) ?? []);
        }
        const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
        if (oidc?.route === 'token') await burnRefusedCode(ctx as KoaContextWithOIDC, provider);
      });
      provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
        const done = grantRevoked(ctx, grantId).catch((error: unknown) =>
          logger.error({ err: error }, 'the tokens of an ended sign-in were not revoked'),
        );
        ending.set(ctx, [...(ending.get(ctx) ?? []), done]);
      });
      provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) =>
        logger.error({ err: error }, 'OpenID provider error'),
      );
      return {
        kid: jwks[0]?.kid ?? active.kid,
        provider,
        callback: provider.callback(),
        secret: derived[0]!,
      };
    })();
    return instance;
  }

  /**
   * Client credentials sent by HTTP Basic become form fields: apps authenticate either way (RFC
   * 6749 2.3.1), while the provider takes one method per client (`client_secret_post`).
   */
  async function credentialsInBody(request: ServiceRequest): Promise<void> {
    if (!/^basic /i.test(request.header('authorization') ?? '')) return;
    const fields = await readFields(request);
    const { clientId, secret } = clientCredentials(request, fields);
    const body = new URLSearchParams(fields);
    if (clientId !== undefined) body.set('client_id', clientId);
    if (secret !== undefined) body.set('client_secret', secret);
    (request.raw as IncomingMessage & { body?: Buffer }).body = Buffer.from(body.toString());
    request.raw.headers['content-type'] = 'application/x-www-form-urlencoded';
    delete request.raw.headers.authorization;
  }

  /** Hands the request to the provider, as if it had reached it on the public origin. */
  async function toProvider(request: ServiceRequest): Promise<RouteResponse> {
    const { callback } = await current();
    if (request.method === 'POST') await credentialsInBody(request);
    request.raw.headers['x-forwarded-host'] = origin.host;
    request.raw.headers['x-forwarded-proto'] = origin.protocol.replace(':', '');
    return runNodeHandler(callback, request);
  }

  /**
   * The token endpoint. An app asking client credentials for a scope it was not registered for is
   * refused (`invalid_scope`, naming them), where the provider would quietly leave them out.
   */
  async function tokenEndpoint(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    if (fields.grant_type === 'client_credentials' && fields.scope !== undefined) {
      const { clientId } = clientCredentials(request, fields);
      const client = internalClients.has(clientId ?? '') ? null : await findClient(clientId);
      if (client !== null) {
        const allowed = new Set<string>(['openid', 'offline_access', ...client.scopes]);
        const refused = fields.scope.split(' ').filter((scope) => scope !== '' && !allowed.has(scope));
        if (refused.length > 0) {
          throw new OAuthError('invalid_scope', `scopes not allowed for this client: ${refused.join(' ')}`);
        }
      }
    }
    return toProvider(request);
  }

  /** A form token for an interaction's pages: the provider's key, bound to the interaction. */
  const csrfOf = (secret: Buffer, uid: string) =>
    createHmac('sha256', secret).update(`csrf:${uid}`).digest('base64url');
  /** The PKCE verifier and nonce of an interaction's upstream login, derived: nothing to store. */
  const upstreamChecksOf = (secret: Buffer, uid: string) => ({
    verifier: createHmac('sha256', secret).update(`upstream-verifier:${uid}`).digest('base64url'),
    nonce: createHmac('sha256', secret).update(`upstream-nonce:${uid}`).digest('base64url'),
    state: uid,
  });

  /** The sign-in steps: `/oauth/interaction/<uid>` (GET: the page; POST: the form) and `…/upstream`. */
  async function interaction(request: ServiceRequest): Promise<RouteResponse> {
    const { provider, secret } = await current();
    const [uid = '', step] = request.url.pathname.slice(INTERACTION_PATH.length).split('/');
    const details = await provider
      .interactionDetails(request.raw, runNodeHandler.sink(request.raw))
      .catch((error: unknown) => {
        if (error instanceof errors.SessionNotFound) return undefined;
        throw error;
      });
    // No interaction for this browser: expired, or another browser's (its cookie is not here).
    if (details === undefined || details.uid !== uid) return foreignBrowserPage();
    const client = await findClient(String(details.params.client_id));
    if (client === null) return expiredPage();
    const language = pageLanguage(
      typeof details.params.ui_locales === 'string' ? details.params.ui_locales : null,
      request.header('accept-language'),
    );
    const requested = String(details.params.scope ?? 'openid')
      .split(' ')
      .filter(Boolean);
    const finish = async (result: InteractionResults, merge = false) =>
      redirect303(
        await provider.interactionResult(request.raw, runNodeHandler.sink(request.raw), result, {
          mergeWithLastSubmission: merge,
        }),
      );
    const unread = writeScopesWithoutRead(requested);
    if (unread !== null) {
      return finish({
        error: 'invalid_scope',
        error_description: `a write scope goes with its read scope: ${unread}`,
      });
    }
    const fields = request.method === 'POST' ? await readFields(request) : {};
    if (request.method === 'POST' && !sameSecret(fields[CSRF_FIELD] ?? '', csrfOf(secret, uid))) {
      return foreignBrowserPage();
    }
    const em = database.fork({ comune: client.comune });

    if (step === 'upstream') return upstreamAnswer(request, details.uid, client, em, finish, secret);
    if (step !== undefined) return html(404, 'Not found', '<p>No such sign-in step.</p>');

    if (details.prompt.name === 'login') {
      const staffClient = staffUpstream !== null && staffLogin!.clients.includes(client.clientId);
      if (staffClient) return toUpstream(staffUpstream, uid, secret);
      if (demo) {
        const chosenStaff = fields.staff_username;
        if (chosenStaff !== undefined) {
          const staff = client.firstParty
            ? await em.findOne(StaffMemberEntity, { username: chosenStaff, disabledAt: null })
            : null;
          if (staff === null) {
            return html(
              400,
              'Personale sconosciuto',
              '<p>Scegli uno dei membri del personale elencati.</p>',
              'it',
            );
          }
          return finish({ login: { accountId: staff.username } });
        }
        const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
        const chosen = (fields.fiscal_code ?? hint).toUpperCase();
        if (chosen !== '') {
          const citizen = await em.findOne(CitizenEntity, { fiscalCode: chosen });
          if (citizen !== null) return finish({ login: citizenLogin(citizen) });
          if (fields.fiscal_code !== undefined) {
            return html(400, 'Cittadino sconosciuto', '<p>Scegli uno dei cittadini elencati.</p>', 'it');
          }
        }
      }
      if (upstream !== null) return toUpstream(upstream, uid, secret);
      if (!demo) {
        return finish({ error: 'login_required', error_description: 'no identity provider is configured' });
      }
      return developmentLogin(em, client, uid, csrfOf(secret, uid));
    }

    // Consent: the comune's own apps, and apps the citizen already allowed these scopes, pass.
    const accountId = details.session?.accountId ?? '';
    const existing = FISCAL_CODE.test(accountId)
      ? await em.findOne(ConsentGrantEntity, {
          fiscalCode: accountId,
          clientId: client.clientId,
          revokedAt: null,
        })
      : null;
    const covered =
      existing !== null &&
      requested.every((scope) => scope === 'offline_access' || existing.scopes.includes(scope as Scope));
    const decision = fields.decision;
    if (!client.firstParty && !covered && decision === undefined) {
      return consentPage(
        language,
        client.name,
        requested.filter((scope) => scope !== 'offline_access') as Scope[],
        `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfOf(secret, uid))}">`,
        `${INTERACTION_PATH}${uid}`,
      );
    }
    if (decision !== undefined && decision !== 'allow') {
      return finish({ error: 'access_denied', error_description: 'the citizen did not allow access' });
    }
    const grant =
      (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
      new provider.Grant({ accountId, clientId: client.clientId });
    // What the provider found missing: OpenID scopes, and the API's scopes for its access token.
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    if (!client.firstParty && FISCAL_CODE.test(accountId)) {
      const apiScopes = requested.filter((scope): scope is Scope =>
        (SCOPES as readonly string[]).includes(scope),
      );
      const any = await em.findOne(ConsentGrantEntity, { fiscalCode: accountId, clientId: client.clientId });
      if (any === null) {
        em.create(ConsentGrantEntity, {
          comune: client.comune,
          fiscalCode: accountId,
          clientId: client.clientId,
          scopes: apiScopes,
          grantedAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
        });
      } else {
        any.scopes = any.revokedAt == null ? [...new Set([...any.scopes, ...apiScopes])] : apiScopes;
        if (any.revokedAt != null) any.grantedAt = new Date();
        any.revokedAt = null;
      }
      await em.flush();
    }
    return finish({ consent: { grantId } }, true);
  }

  /** The development login (demo mode): the comune's citizens, and for its own apps its staff by username. */
  async function developmentLogin(
    em: EntityManager,
    client: ApiClient,
    uid: string,
    csrf: string,
  ): Promise<RouteResponse> {
    const action = `${INTERACTION_PATH}${uid}`;
    const hidden = `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}">`;
    const staffForm = client.firstParty
      ? `<h2>Personale del comune</h2><form method="post" action="${action}">${hidden}` +
        `<label>Nome utente <input name="staff_username" autocomplete="username" required></label> ` +
        `<button>Accedi</button></form>`
      : '';
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
    return html(
      200,
      'Accesso di prova',
      `<p>Modalità dimostrativa: scegli con chi entrare (nessuna password).</p>${staffForm}` +
        `<h2>Cittadini</h2><form method="post" action="${action}">${hidden}${buttons}</form>`,
      'it',
    );
  }

  /** Sends the browser to an upstream provider's login; its answer comes back to `/oauth/callback`. */
  async function toUpstream(client: UpstreamClient, uid: string, secret: Buffer): Promise<RouteResponse> {
    const checks = upstreamChecksOf(secret, uid);
    return redirect(
      await client.authorizationUrl({
        state: uid,
        nonce: checks.nonce,
        codeChallenge: createHash('sha256').update(checks.verifier).digest('base64url'),
      }),
    );
  }

  /** The upstream's answer, continued in its interaction (where the browser's interaction cookie applies). */
  function upstreamCallback(request: ServiceRequest): RouteResponse {
    if (upstream === null && staffUpstream === null) {
      return html(404, 'Not found', '<p>No upstream provider.</p>');
    }
    const uid = request.url.searchParams.get('state') ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(uid)) return expiredPage();
    return redirect(`${issuer}${INTERACTION_PATH}${uid}/upstream${request.url.search}`);
  }

  async function upstreamAnswer(
    request: ServiceRequest,
    uid: string,
    client: ApiClient,
    em: EntityManager,
    finish: (result: InteractionResults) => Promise<RouteResponse>,
    secret: Buffer,
  ): Promise<RouteResponse> {
    const params = new URLSearchParams(request.url.search);
    const staff = staffUpstream !== null && staffLogin!.clients.includes(client.clientId);
    const from = staff ? staffUpstream : upstream;
    if (from === null || params.get('code') === null) {
      return finish({
        error: 'access_denied',
        error_description: staff
          ? 'the staff identity provider did not sign anyone in'
          : 'the identity provider did not sign the citizen in',
      });
    }
    let claims: Record<string, unknown>;
    try {
      ({ claims } = await from.exchange(params, upstreamChecksOf(secret, uid)));
    } catch (error) {
      if (!(error instanceof UpstreamProviderError)) throw error;
      logger.error({ err: error.message, staff }, 'upstream login failed');
      return html(
        502,
        'Accesso non riuscito',
        "<p>Il gestore dell'identità non ha potuto completare l'accesso. Riprova più tardi.</p>",
        'it',
      );
    }
    if (staff) {
      const username = claims[staffLogin!.usernameClaim];
      const member =
        typeof username === 'string' && username !== ''
          ? await em.findOne(StaffMemberEntity, { username, disabledAt: null })
          : null;
      if (member === null) {
        // Who it was stays out of the log: a person, possibly not of this comune's staff at all.
        logger.warn({ comune: client.comune, claim: staffLogin!.usernameClaim }, 'staff sign-in refused');
        return html(
          403,
          'Not a staff account',
          '<p>This account is not an enabled staff member of the comune in Sportello. Ask an administrator to add it.</p>',
        );
      }
      return finish({ login: { accountId: member.username } });
    }
    const fiscalCode = fiscalCodeFromUpstreamClaim(claims[config.upstream!.fiscalCodeClaim]);
    if (fiscalCode === undefined) {
      return html(
        400,
        'Not an Italian fiscal code',
        '<p>The identity provider did not give an Italian fiscal code for this person.</p>',
      );
    }
    const text = (...names: string[]) =>
      names.map((name) => claims[name]).find((value): value is string => typeof value === 'string') ?? '';
    const citizen = await ensureCitizen(em, client.comune, {
      fiscalCode,
      givenName: text('given_name', 'name'),
      familyName: text('family_name', 'familyName'),
      email: text('email') || null,
    });
    return finish({ login: citizenLogin(citizen) });
  }

  /**
   * An access token verified as every service verifies it (signature, claims, revocations), with
   * the record of the sign-in it was issued in (a client-credentials token's own record; `null` for
   * a token recorded nowhere, e.g. a service's or a demo token) and an EntityManager of its comune;
   * `undefined` for a token that does not verify. A record with `revokedAt` set is a sign-in (or
   * client token) ended since: the token is no longer live.
   */
  async function verifiedAccessToken(
    token: string,
  ): Promise<{ principal: TokenPrincipal; em: EntityManager; signIn: RefreshToken | null } | undefined> {
    let principal;
    try {
      principal = await verifier.verifyToken(token);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return undefined;
      throw error;
    }
    const em = database.fork({ comune: principal.comune });
    const signIn = await em.findOne(RefreshTokenEntity, { accessTokenId: principal.tokenId });
    return { principal, em, signIn };
  }

  /** The claims of the person a bearer access token was issued for (OIDC Core 5.3). */
  async function userinfo(request: ServiceRequest): Promise<RouteResponse> {
    const refused = (status: number, error: string, description: string) =>
      json(
        status,
        { error, error_description: description },
        {
          'www-authenticate': `Bearer realm="sportello", error="${error}", error_description="${description}"`,
          'access-control-allow-origin': '*',
        },
      );
    const match = /^Bearer +(\S+)$/i.exec(request.header('authorization') ?? '');
    if (match === null) return refused(401, 'invalid_request', 'send the access token as a Bearer token');
    const verified = await verifiedAccessToken(match[1]!);
    if (verified === undefined || verified.signIn?.revokedAt != null) {
      return refused(401, 'invalid_token', 'the access token is invalid, expired or revoked');
    }
    const { principal, em, signIn } = verified;
    let person: { fiscalCode?: string; staffUsername?: string };
    let scopes: readonly string[];
    if (principal.kind === 'citizen') {
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
    return json(200, claims, { 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
  }

  /**
   * Token introspection (RFC 7662) for Sportello's own services: the API's JWT access tokens are
   * verified here (revocations included); refresh tokens are the provider's.
   */
  async function introspect(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const credentials = clientCredentials(request, fields);
    const internal = internalClients.get(credentials.clientId ?? '');
    // Only Sportello's own services learn what a token is.
    if (internal === undefined) throw new OAuthError('invalid_client', 'client authentication failed');
    const token = fields.token ?? '';
    if (token.split('.').length !== 3) return toProvider(request);
    if (!sameSecret(credentials.secret ?? '', internal.secret)) {
      throw new OAuthError('invalid_client', 'client authentication failed');
    }
    const verified = await verifiedAccessToken(token);
    if (verified === undefined || verified.signIn?.revokedAt != null) return json(200, { active: false });
    const [, payload = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return json(200, { ...claims, active: true, token_type: 'Bearer' });
  }

  /**
   * Token revocation (RFC 7009): refresh tokens are the provider's; an access token (a JWT, which the
   * provider does not keep) ends the sign-in it belongs to, when the app presenting it is the one it
   * was issued to: its access tokens are refused everywhere at once and it refreshes no more. A
   * client-credentials token is a family of its own: it alone ends, the app's other tokens go on.
   * Unknown tokens and other apps' tokens are answered 200 all the same, and change nothing.
   */
  async function revoke(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const token = fields.token ?? '';
    if (token.split('.').length !== 3) return toProvider(request);
    const credentials = clientCredentials(request, fields);
    const client = await findClient(credentials.clientId);
    const refused = new OAuthError('invalid_client', 'client authentication failed');
    if (client === null) throw refused;
    if (client.secretHash != null) {
      const secret = credentials.secret;
      if (
        secret === undefined ||
        !(await throttle.verifySecret(client.clientId, secret, client.secretHash))
      ) {
        throw refused;
      }
    }
    const verified = await verifiedAccessToken(token);
    if (verified === undefined) return json(200, {});
    const { em, signIn } = verified;
    if (signIn !== null && signIn.clientId === client.clientId) {
      await revokeSignIn(em, signIn.familyId, { kind: 'client', id: client.clientId });
      // The browser's next sign-in to the app is a new one, not this ended one again.
      if (signIn.grantId != null) await endProviderGrant((await current()).provider, signIn.grantId);
    }
    return json(200, {}, { 'access-control-allow-origin': '*' });
  }

  async function devToken(request: ServiceRequest): Promise<RouteResponse> {
    const fields = await readFields(request);
    const comune = fields.comune ?? config.defaultComune;
    if (!/^\d{6}$/.test(comune))
      throw new OAuthError('invalid_request', 'comune must be a 6-digit ISTAT code');
    const em = database.fork({ comune });
    const { grant, subject } = await devGrant(em, comune, fields);
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
    (handler: (request: ServiceRequest) => Promise<RouteResponse> | RouteResponse) =>
    async (request: ServiceRequest): Promise<RouteResponse> => {
      try {
        return await handler(request);
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(error);
        throw error;
      }
    };

  const provided = guarded(toProvider);
  const routes: Route[] = [
    { method: 'GET', path: '/.well-known/openid-configuration', handler: provided },
    { method: 'GET', path: OIDC_ROUTES.jwks, handler: provided },
    { method: 'GET', path: OIDC_ROUTES.authorization, handler: provided },
    { method: 'POST', path: OIDC_ROUTES.authorization, handler: provided },
    // The authorization resumed after a sign-in step.
    { method: 'GET', path: `${OIDC_ROUTES.authorization}/`, prefix: true, handler: provided },
    {
      method: 'POST',
      path: OIDC_ROUTES.token,
      handler: guarded((request) => throttle.token(request, tokenEndpoint)),
    },
    {
      method: 'POST',
      path: OIDC_ROUTES.revocation,
      handler: guarded((request) => throttle.token(request, revoke)),
    },
    {
      method: 'POST',
      path: OIDC_ROUTES.introspection,
      handler: guarded((request) => throttle.token(request, introspect)),
    },
    { method: 'GET', path: OIDC_ROUTES.userinfo, handler: guarded(userinfo) },
    { method: 'POST', path: OIDC_ROUTES.userinfo, handler: guarded(userinfo) },
    { method: 'GET', path: OIDC_ROUTES.end_session, handler: provided },
    { method: 'POST', path: OIDC_ROUTES.end_session, handler: provided },
    { method: 'GET', path: `${OIDC_ROUTES.end_session}/`, prefix: true, handler: provided },
    { method: 'POST', path: `${OIDC_ROUTES.end_session}/`, prefix: true, handler: provided },
    { method: 'GET', path: INTERACTION_PATH, prefix: true, handler: guarded(interaction) },
    {
      method: 'POST',
      path: INTERACTION_PATH,
      prefix: true,
      handler: guarded((request) =>
        throttle.interaction(
          request,
          interaction,
          request.url.pathname.slice(INTERACTION_PATH.length).split('/')[0],
        ),
      ),
    },
    { method: 'GET', path: '/oauth/callback', handler: guarded(upstreamCallback) },
  ];
  // Outside demo mode this route does not exist at all: the server answers 404.
  if (demo) routes.push({ method: 'POST', path: '/auth/dev/token', handler: guarded(devToken) });
  return routes;
}

/** The token a demo `POST /auth/dev/token` asks for: by subject, or the first of a kind. */
async function devGrant(
  em: EntityManager,
  comune: string,
  fields: Record<string, string>,
): Promise<{ grant: TokenGrant; subject: string }> {
  const wanted = fields.subject?.trim();
  if (wanted) {
    const citizen = await em.findOne(CitizenEntity, { fiscalCode: wanted.toUpperCase() });
    if (citizen !== null) return citizenDevGrant(em, comune, citizen.fiscalCode);
    const staff = await em.findOne(StaffMemberEntity, { username: wanted, disabledAt: null });
    if (staff !== null) {
      return {
        grant: { kind: 'staff', comune, username: staff.username, offices: staff.offices },
        subject: staff.username,
      };
    }
    throw new OAuthError(
      'invalid_request',
      'subject is neither a seeded citizen nor a staff username of this comune',
    );
  }
  if (fields.kind === 'citizen') {
    const citizen = await em.findOne(CitizenEntity, {}, { orderBy: { fiscalCode: 'asc' } });
    if (citizen === null) throw new OAuthError('invalid_request', 'no citizen is seeded in this comune');
    return citizenDevGrant(em, comune, citizen.fiscalCode);
  }
  if (fields.kind === 'staff') {
    const office = fields.office as Office | undefined;
    const members = await em.find(StaffMemberEntity, { disabledAt: null }, { orderBy: { username: 'asc' } });
    const staff = members.find((member) => office === undefined || member.offices.includes(office));
    if (staff === undefined) {
      throw new OAuthError(
        'invalid_request',
        `no staff member${office ? ` of office ${office}` : ''} is seeded in this comune`,
      );
    }
    return {
      grant: { kind: 'staff', comune, username: staff.username, offices: staff.offices },
      subject: staff.username,
    };
  }
  if (fields.kind === 'client') {
    const client = await em.findOne(ApiClientEntity, { clientId: DEMO_API_CLIENT_ID, revokedAt: null });
    if (client === null)
      throw new OAuthError('invalid_request', 'the demo API client is not seeded in this comune');
    return {
      grant: {
        kind: 'client',
        comune,
        clientId: client.clientId,
        scopes: client.scopes,
        rateLimitPerMinute: client.rateLimitPerMinute,
      },
      subject: client.clientId,
    };
  }
  throw new OAuthError(
    'invalid_request',
    'send {"subject": "<fiscal code or staff username>"} or {"kind": "citizen"|"staff"|"client"}',
  );
}

/** A demo citizen token: the citizen's own, acting for whoever delegates to them today. */
async function citizenDevGrant(
  em: EntityManager,
  comune: string,
  fiscalCode: string,
): Promise<{ grant: TokenGrant; subject: string }> {
  return {
    grant: { kind: 'citizen', comune, fiscalCode, actsFor: await activeDelegators(em, fiscalCode) },
    subject: fiscalCode,
  };
}

/**
 * The id under which a sign-in's access tokens are remembered: a UUID derived from the provider's
 * grant id, so that ending the grant finds them.
 */
export function signInId(grantId: string): string {
  const hex = createHash('sha256').update(`grant:${grantId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A citizen's login result: its time (`auth_time`, whole seconds) is after their last "sign out
 * everywhere", even one in the same second, so the new sign-in is not taken for one it ended.
 */
function citizenLogin(citizen: { fiscalCode: string; signedOutAt?: Date | null }): {
  accountId: string;
  ts: number;
} {
  const now = Math.floor(Date.now() / 1000);
  const signedOut = citizen.signedOutAt == null ? 0 : Math.floor(citizen.signedOutAt.getTime() / 1000) + 1;
  return { accountId: citizen.fiscalCode, ts: Math.max(now, signedOut) };
}

/** The cookie carrying the language of the sign-out confirmation to the signed-out page after it. */
const LOGOUT_LANGUAGE_COOKIE = 'sportello.logout_language';

/** The app a logout step names (by `client_id` or `id_token_hint`), as the citizen knows it. */
function appNameOf(ctx: KoaContextWithOIDC): string | undefined {
  const client = ctx.oidc.client;
  if (client === undefined) return undefined;
  return typeof client.clientName === 'string' && client.clientName !== ''
    ? client.clientName
    : client.clientId;
}

/** Answers one of identity's pages from inside the provider (status as the provider set it). */
function sendPage(ctx: KoaContextWithOIDC, page: RouteResponse): void {
  for (const [name, value] of Object.entries(page.headers ?? {})) {
    if (name !== 'content-type') ctx.set(name, String(value));
  }
  ctx.type = 'html';
  ctx.body = page.body;
}

function redirect303(location: string): RouteResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store' } };
}

function expiredPage(): RouteResponse {
  return html(400, 'Expired', '<p>This sign-in has expired: start again from the application.</p>');
}

/** A sign-in step that the browser which started the sign-in did not send (or an out-of-date form). */
function foreignBrowserPage(): RouteResponse {
  return html(
    403,
    'Sign-in refused',
    '<p>This step of the sign-in was not sent by the browser that started it, or the form is out of date. ' +
      'Nothing was shared with the application. Start again from the application, in this browser.</p>',
  );
}

function errorPage(description: string): RouteResponse {
  return html(400, 'Sign-in error', `<p>${escapeHtml(description)}</p>`);
}

/** A refresh token unused this long expires: a working day. */
export const DEFAULT_REFRESH_TOKEN_IDLE_SECONDS = 8 * 3600;
/** No refresh token outlives its sign-in by more than this. */
export const DEFAULT_REFRESH_TOKEN_MAX_AGE_SECONDS = 30 * 86_400;

/** Client id of the demo third-party app seeded in demo mode. */
export const DEMO_API_CLIENT_ID = 'demo-app';

/** What an issued access token's record says besides its id and times. */
type AccessTokenRecord = Pick<
  RefreshToken,
  'comune' | 'familyId' | 'grantId' | 'clientId' | 'fiscalCode' | 'staffUsername' | 'scopes'
> & {
  /** When the person signed in; null for an app's own token (issued now, for no person). */
  authTime: Date | null;
};

/**
 * Remembers an issued access token by its id (`jti`) in its sign-in's family, so that ending the
 * sign-in, or revoking the token, ends it everywhere.
 */
async function recordAccessToken(
  em: EntityManager,
  jti: string,
  ttlSeconds: number,
  record: AccessTokenRecord,
): Promise<void> {
  const now = new Date();
  em.create(RefreshTokenEntity, {
    ...record,
    tokenDigest: digestToken(`access:${jti}`),
    authTime: record.authTime ?? now,
    accessTokenId: jti,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    rotatedAt: null,
    revokedAt: null,
  });
  await em.flush();
}
