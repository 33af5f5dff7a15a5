import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, {
  errors,
  type Account,
  type AccountClaims,
  type AdapterPayload,
  type AdapterConstructor,
  type AdapterFactory,
  type ClientMetadata,
  type Configuration,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import {
  createTokenVerifier,
  SCOPES,
  UnauthenticatedError,
  type RevocationView,
  type Database,
  type EntityManager,
  type Logger,
  type Scope,
} from '@sportello/platform';
import type { IdentityConfig } from '../config.js';
import { writeScopesWithoutRead } from '../domain/api-clients.js';
import { noteAppGrantUsed } from '../domain/app-grants.js';
import { activeDelegators } from '../domain/delegations.js';
import { verifyClientSecret } from '../domain/secrets.js';
import { ApiClientEntity, ConsentGrantEntity, type ApiClient } from '../entities/api-client.entity.js';
import { CitizenEntity } from '../entities/citizen.entity.js';
import { StaffMemberEntity } from '../entities/staff-member.entity.js';
import { accessTokenClaims, type TokenGrant } from './claims.js';
import { consentPage, pageLanguage } from './consent-page.js';
import { escapeHtml } from './http-io.js';
import { ID_TOKEN_CLAIMS, PERSON_CLAIMS, personClaims } from './id-token.js';
import { SIGNING_ALGORITHM, type KeyRing } from './key-ring.js';

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

/** The path prefix of the sign-in steps (login, consent) the provider hands to identity. */
export const INTERACTION_PATH = '/oauth/interaction/';

/** A fiscal code as accounts carry it; anything else is a staff username. */
const FISCAL_CODE = /^[A-Z0-9]{16}$/;

export interface CertifiedProviderDeps {
  config: IdentityConfig;
  database: Database;
  keys: KeyRing;
  logger: Logger;
  /** Stores the provider's artefacts (sessions, codes, grants, refresh tokens...). */
  adapter: AdapterConstructor | AdapterFactory;
  /** Keys signing the provider's cookies, newest first (at least one, 32+ characters). */
  cookieKeys: readonly string[];
  /**
   * A grant ended by the provider (a reused code or refresh token, a revocation): the access tokens
   * already issued under it must stop working everywhere (identity publishes a revocation).
   */
  onGrantRevoked?: (grant: RevokedGrant) => Promise<void>;
  /** The revocations identity's own verifier honours, for the bearer tokens userinfo reads. */
  revocations?: RevocationView | undefined;
}

/** Whose tokens a revoked grant ends. */
export interface RevokedGrant {
  comune: string;
  clientId: string;
  fiscalCode?: string;
  username?: string;
}

/** The provider as identity serves it: a Node request handler for its endpoints and sign-in steps. */
export interface CertifiedProvider {
  readonly provider: Provider;
  /** Whether `path` is one of the provider's (or its sign-in steps'). */
  serves(path: string): boolean;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

/**
 * Identity's OpenID provider on `oidc-provider` (OpenID Certified): authorization code with PKCE
 * (S256 only), ID tokens, refresh tokens rotated at each use (a reused one ends its grant),
 * revocation (RFC 7009), introspection (RFC 7662) for Sportello's own services, client credentials,
 * `iss` in authorization responses (RFC 9207) and JWT access tokens for the API carrying the claims
 * every service's verifier reads. Clients, people and consent stay identity's own: API clients and
 * internal services are the provider's clients, citizens and staff its accounts, and a citizen's
 * consent to an app is identity's consent grant.
 */
export async function createCertifiedProvider(deps: CertifiedProviderDeps): Promise<CertifiedProvider> {
  const { config, database, keys, logger } = deps;
  const issuer = config.tokenIssuer.replace(/\/$/, '');
  /** The resource every access token is for: Sportello's GraphQL API. */
  const apiResource = `${issuer}/graphql`;
  const internalClients = new Map(config.internalClients.map((client) => [client.clientId, client]));

  async function findClient(clientId: string): Promise<ApiClient | null> {
    return database.forkUnscoped().findOne(ApiClientEntity, { clientId, revokedAt: null });
  }

  /** An API client as the provider sees it; confidential clients carry their secret's hash. */
  function clientMetadata(client: ApiClient): ClientMetadata {
    const confidential = client.secretHash != null;
    return {
      client_id: client.clientId,
      client_name: client.name,
      ...(confidential
        ? { client_secret: client.secretHash!, token_endpoint_auth_method: 'client_secret_post' }
        : { token_endpoint_auth_method: 'none' }),
      redirect_uris: client.redirectUris,
      response_types: client.redirectUris.length > 0 ? ['code'] : [],
      grant_types: [
        ...(client.redirectUris.length > 0 ? ['authorization_code', 'refresh_token'] : []),
        ...(confidential ? ['client_credentials'] : []),
      ],
      scope: [...new Set(['openid', 'offline_access', ...client.scopes])].join(' '),
      id_token_signed_response_alg: SIGNING_ALGORITHM,
      comune: client.comune,
      first_party: client.firstParty,
      rate_limit: client.rateLimitPerMinute,
    };
  }

  /** Whose grants were just destroyed, for the `grant.revoked` event that follows (it names only the id). */
  const destroyedGrants = new Map<string, { accountId?: string; clientId?: string }>();

  /** The adapter with clients read from identity: registered apps and Sportello's own services. */
  const Adapter = deps.adapter as AdapterConstructor;
  class IdentityAdapter extends Adapter {
    private readonly kind: string;
    constructor(name: string) {
      super(name);
      this.kind = name;
    }
    override async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind !== 'Client') return (await super.find(id)) ?? undefined;
      const internal = internalClients.get(id);
      if (internal !== undefined) {
        return {
          client_id: internal.clientId,
          client_secret: internal.secret,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          internal_service: internal.service,
        } as AdapterPayload;
      }
      const client = await findClient(id);
      return client === null ? undefined : (clientMetadata(client) as AdapterPayload);
    }
    override async destroy(id: string): Promise<void> {
      if (this.kind === 'Grant') {
        const grant = await super.find(id);
        if (grant) destroyedGrants.set(id, { accountId: grant.accountId, clientId: grant.clientId });
      }
      await super.destroy(id);
    }
  }

  /** Who an access token of `clientId` for `accountId` is issued to, read at each issue. */
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

  const jwks = { keys: (await keys.signingJwks()) as JWK[] };

  const configuration: Configuration = {
    adapter: IdentityAdapter as unknown as AdapterConstructor,
    clients: [],
    jwks,
    routes: OIDC_ROUTES,
    scopes: [...new Set(['openid', 'offline_access', ...SCOPES])],
    claims: {
      openid: ['sub', 'fiscal_number'],
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
    extraClientMetadata: { properties: ['comune', 'first_party', 'rate_limit', 'internal_service'] },
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
      keys: [...deps.cookieKeys],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      // The API's access tokens serve the userinfo endpoint too (identity's own, below).
      userinfo: { enabled: false },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // Only Sportello's own services learn what a token is.
        allowedPolicy: (_ctx, client) => Promise.resolve(internalClients.has(client.clientId)),
      },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
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
      Grant: config.refreshTokenMaxAgeSeconds ?? 30 * 86_400,
      RefreshToken: (_ctx, token) => {
        const idle = config.refreshTokenIdleSeconds ?? 8 * 3600;
        const maxAge = config.refreshTokenMaxAgeSeconds ?? 30 * 86_400;
        // Each rotation gives a full idle period, never past the sign-in's maximum age.
        return Math.max(1, Math.min(idle, maxAge - token.totalLifetime()));
      },
    },
    issueRefreshToken: (_ctx, client) => Promise.resolve(client.grantTypeAllowed('refresh_token')),
    rotateRefreshToken: () => true,
    expiresWithSession: () => Promise.resolve(false),
    allowOmittingSingleRegisteredRedirectUri: false,
    conformIdTokenClaims: false,
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}` },
    findAccount: async (_ctx, sub): Promise<Account | undefined> => {
      const em = database.forkUnscoped();
      const person = FISCAL_CODE.test(sub) ? { fiscalCode: sub } : { staffUsername: sub };
      const exists = FISCAL_CODE.test(sub)
        ? await em.findOne(CitizenEntity, { fiscalCode: sub })
        : await em.findOne(StaffMemberEntity, { username: sub, disabledAt: null });
      if (exists === null) return undefined;
      return {
        accountId: sub,
        claims: async (_use, scope) =>
          ((await personClaims(em, person, scope.split(' '))) as AccountClaims | null) ?? { sub },
      };
    },
    extraTokenClaims: async (ctx, token) => {
      const clientId = token.clientId!;
      const internal = internalClients.get(clientId);
      if (internal !== undefined) {
        const comune = (ctx.oidc.params?.comune as string | undefined) ?? config.defaultComune;
        if (!/^\d{6}$/.test(comune)) throw new errors.InvalidRequest('comune must be a 6-digit ISTAT code');
        return accessTokenClaims({ kind: 'service', comune, service: internal.service }, token.jti);
      }
      const client = await findClient(clientId);
      if (client === null) throw new errors.InvalidClient('the client is revoked');
      const scopes = [...(token.scopes ?? [])];
      const em = database.fork({ comune: client.comune });
      const accountId = 'accountId' in token ? token.accountId : undefined;
      if (accountId === undefined) {
        return accessTokenClaims(
          {
            kind: 'client',
            comune: client.comune,
            clientId: client.clientId,
            scopes: scopes as Scope[],
            rateLimitPerMinute: client.rateLimitPerMinute,
          },
          token.jti,
        );
      }
      const grant = await grantOf(em, client, accountId, scopes);
      if (grant === null) throw new errors.InvalidGrant('the person this grant is for can no longer sign in');
      if (!client.firstParty) await noteAppGrantUsed(em, accountId, client.clientId);
      return accessTokenClaims(grant, token.jti);
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escapeHtml(String(out.error_description ?? out.error))}</p>`);
      return Promise.resolve();
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = true;

  // Secrets of registered apps are stored as scrypt hashes; internal services' are compared in
  // constant time by the library.
  const compareSecret = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = async function (
    this: { clientId: string; clientSecret?: string },
    actual: string,
  ) {
    if (internalClients.has(this.clientId)) return compareSecret.call(this, actual);
    return this.clientSecret !== undefined && (await verifyClientSecret(actual, this.clientSecret));
  };

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    void revokedGrant(ctx, grantId).catch((error: unknown) =>
      logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'grant revocation not published',
      ),
    );
  });

  async function revokedGrant(ctx: KoaContextWithOIDC, grantId: string): Promise<void> {
    const destroyed = destroyedGrants.get(grantId);
    destroyedGrants.delete(grantId);
    const clientId = destroyed?.clientId ?? ctx.oidc.client?.clientId;
    const accountId = destroyed?.accountId;
    logger.info({ grant: grantId.slice(0, 8), client: clientId }, 'grant revoked');
    if (clientId === undefined || deps.onGrantRevoked === undefined) return;
    const client = await findClient(clientId);
    if (client === null) return;
    await deps.onGrantRevoked({
      comune: client.comune,
      clientId,
      ...(accountId === undefined
        ? {}
        : FISCAL_CODE.test(accountId)
          ? { fiscalCode: accountId }
          : { username: accountId }),
    });
  }

  async function interaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    const { uid, prompt, params } = details;
    const client = await findClient(String(params.client_id));
    if (client === null) throw new errors.InvalidClient('the application is not registered or was revoked');
    const language = pageLanguage(
      typeof params.ui_locales === 'string' ? params.ui_locales : null,
      request.headers['accept-language'],
    );
    const requested = String(params.scope ?? 'openid')
      .split(' ')
      .filter(Boolean);
    const unread = writeScopesWithoutRead(requested);
    if (unread !== null) {
      await provider.interactionFinished(request, response, {
        error: 'invalid_scope',
        error_description: `a write scope goes with its read scope: ${unread}`,
      });
      return;
    }
    const url = new URL(request.url ?? '/', issuer);
    const form = request.method === 'POST' ? await readForm(request) : new URLSearchParams();

    if (prompt.name === 'login') {
      const hint = typeof params.login_hint === 'string' ? params.login_hint.toUpperCase() : '';
      const chosen = form.get('fiscal_code')?.toUpperCase() ?? (hint === '' ? undefined : hint);
      const staffChosen = form.get('staff_username') ?? undefined;
      const em = database.fork({ comune: client.comune });
      if (config.mode === 'demo' && staffChosen !== undefined && client.firstParty) {
        const staff = await em.findOne(StaffMemberEntity, { username: staffChosen, disabledAt: null });
        if (staff !== null) {
          await provider.interactionFinished(request, response, { login: { accountId: staff.username } });
          return;
        }
      }
      if (config.mode === 'demo' && chosen !== undefined) {
        const citizen = await em.findOne(CitizenEntity, { fiscalCode: chosen });
        if (citizen !== null) {
          await provider.interactionFinished(request, response, { login: { accountId: citizen.fiscalCode } });
          return;
        }
      }
      if (config.mode !== 'demo') {
        await provider.interactionFinished(request, response, {
          error: 'login_required',
          error_description: 'no identity provider is configured',
        });
        return;
      }
      const citizens = await em.find(CitizenEntity, {}, { orderBy: { familyName: 'asc' }, limit: 20 });
      const buttons = citizens
        .map(
          (citizen) =>
            `<button name="fiscal_code" value="${escapeHtml(citizen.fiscalCode)}">${escapeHtml(citizen.givenName)} ${escapeHtml(citizen.familyName)}</button>`,
        )
        .join('<br>');
      send(
        response,
        200,
        page('Accesso', `<form method="post" action="${INTERACTION_PATH}${uid}">${buttons}</form>`),
      );
      return;
    }

    // Consent: the comune's own apps, and apps the citizen already allowed these scopes, pass.
    const accountId = details.session?.accountId ?? '';
    const em = database.fork({ comune: client.comune });
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
    const decision = form.get('decision');
    if (!client.firstParty && !covered && decision === null) {
      const answer = consentPage(language, client.name, requested as Scope[], '');
      const body = String(answer.body ?? '').replace(
        /<form([^>]*)>/,
        `<form method="post" action="${INTERACTION_PATH}${uid}">`,
      );
      send(response, 200, body);
      return;
    }
    if (decision !== null && decision !== 'allow') {
      await provider.interactionFinished(request, response, {
        error: 'access_denied',
        error_description: 'the citizen did not allow access',
      });
      return;
    }
    const grant =
      details.grantId === undefined
        ? new provider.Grant({ accountId, clientId: client.clientId })
        : (await provider.Grant.find(details.grantId))!;
    // What the provider found missing from the grant: OpenID scopes, and the API's scopes for its token.
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const apiScopes = requested.filter((scope) => (SCOPES as readonly string[]).includes(scope));
    const grantId = await grant.save();
    if (!client.firstParty && FISCAL_CODE.test(accountId)) {
      if (existing === null) {
        em.create(ConsentGrantEntity, {
          comune: client.comune,
          fiscalCode: accountId,
          clientId: client.clientId,
          scopes: apiScopes as Scope[],
          grantedAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
        });
      } else {
        existing.scopes = [...new Set([...existing.scopes, ...(apiScopes as Scope[])])];
      }
      await em.flush();
    }
    void url;
    await provider.interactionFinished(
      request,
      response,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  // Bearer tokens presented to userinfo are checked like at every service, revocations included.
  const verifier = createTokenVerifier({
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    jwks: async () => ({ keys: await keys.publishedKeys() }),
    jwksCooldownSec: 1,
    revocations: deps.revocations,
  });

  /** The claims of the person a bearer access token was issued for (OIDC Core 5.3). */
  async function userinfo(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refuse = (status: number, error: string, description: string) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'access-control-allow-origin': '*',
        'www-authenticate': `Bearer realm="sportello", error="${error}", error_description="${description}"`,
      });
      response.end(JSON.stringify({ error, error_description: description }));
    };
    const match = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
    if (match === null) return refuse(401, 'invalid_request', 'send the access token as a Bearer token');
    let principal;
    try {
      principal = await verifier.verifyToken(match[1]!);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        return refuse(401, 'invalid_token', 'the access token is invalid, expired or revoked');
      }
      throw error;
    }
    const person =
      principal.kind === 'citizen'
        ? { fiscalCode: principal.fiscalCode }
        : principal.kind === 'staff'
          ? { staffUsername: principal.username }
          : principal.kind === 'client' && principal.onBehalfOf !== undefined
            ? { fiscalCode: principal.onBehalfOf.fiscalCode }
            : null;
    if (person === null)
      return refuse(403, 'insufficient_scope', 'the access token was not issued for a person');
    const scopes = principal.kind === 'client' ? principal.scopes : ['openid', 'profile'];
    const claims = await personClaims(database.fork({ comune: principal.comune }), person, scopes);
    if (claims === null)
      return refuse(401, 'invalid_token', 'the person of this token can no longer sign in');
    response.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    });
    response.end(JSON.stringify(claims));
  }

  const callback = provider.callback();
  return {
    provider,
    serves: (path) =>
      path.startsWith(INTERACTION_PATH) ||
      path === '/.well-known/openid-configuration' ||
      Object.values(OIDC_ROUTES).some((route) => path === route || path.startsWith(`${route}/`)),
    async handle(request, response) {
      const path = new URL(request.url ?? '/', issuer).pathname;
      if (path === OIDC_ROUTES.userinfo) return userinfo(request, response);
      if (path.startsWith(INTERACTION_PATH)) {
        try {
          await interaction(request, response);
        } catch (error) {
          if (error instanceof errors.OIDCProviderError) {
            send(
              response,
              error.statusCode,
              page('Sign-in refused', `<p>${escapeHtml(error.error_description ?? error.message)}</p>`),
            );
            return;
          }
          throw error;
        }
        return;
      }
      // The provider builds its URLs from the public origin, whatever host the request reached.
      const origin = new URL(issuer);
      request.headers.host = origin.host;
      request.headers['x-forwarded-host'] = origin.host;
      request.headers['x-forwarded-proto'] = origin.protocol.replace(':', '');
      await new Promise<void>((resolve) => {
        response.once('finish', resolve);
        response.once('close', resolve);
        callback(request, response);
      });
    },
  };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function send(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(html);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new errors.InvalidRequest('the form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
