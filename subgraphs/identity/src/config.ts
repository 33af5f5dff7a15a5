import {
  defineServiceConfig,
  type ServiceConfigDefinition,
  envInteger,
  envText,
  envUrl,
  type ServiceCoreConfig,
} from '@sportello/platform';
import { DASHBOARD_CLIENT_ID } from './seed/index.js';
import {
  isKeyEncryptionKey,
  KEY_ENCRYPTION_KEY_FORMAT,
  parseKeyEncryptionKey,
} from './oidc/key-encryption.js';

/** An internal Sportello service allowed to obtain `service` tokens with client credentials. */
export interface InternalClient {
  clientId: string;
  secret: string;
  service: string;
}

/** The upstream SPID/CIE OpenID provider identity brokers in production. */
export interface UpstreamProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claim carrying the fiscal code. @default 'fiscalNumber' */
  fiscalCodeClaim: string;
  /** Space-separated scopes asked upstream. @default 'openid profile' */
  scope: string;
}

/**
 * The comune's own OpenID provider its staff sign in with (Entra ID, Keycloak, ...), for the
 * comune's staff apps (the dashboard). A person it signs in must be an enabled staff member of the
 * comune in identity, matched by username; their offices come from identity, not from upstream.
 */
export interface StaffUpstreamProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** @default 'openid profile email' */
  scope: string;
  /** Claim carrying the staff username. @default 'preferred_username' */
  usernameClaim: string;
  /** Applications whose sign-in is staff's. @default the staff dashboard */
  clients: string[];
}

/**
 * How the token, login and consent endpoints slow down guessing: failed attempts (wrong client
 * secrets, unknown codes, forged or expired sign-in steps) are counted per client and per remote
 * address over a window, and past the limit the endpoint answers 429 with `Retry-After` until the
 * window ends. Successful requests are not counted.
 */
export interface OAuthThrottleSettings {
  /** @default 20 */
  failuresPerClient: number;
  /** @default 100 */
  failuresPerAddress: number;
  /** @default 60 */
  windowSeconds: number;
}

export const DEFAULT_OAUTH_THROTTLE: OAuthThrottleSettings = {
  failuresPerClient: 20,
  failuresPerAddress: 100,
  windowSeconds: 60,
};

/**
 * Everything identity needs, typed; built by {@link loadIdentityConfig} or by hand in tests.
 * `tokenIssuer` is the `iss` of issued tokens and the base URL of the OIDC endpoints (the public
 * origin: the gateway forwards them here); `tokenAudience` the `aud` of access tokens.
 */
export interface IdentityConfig extends ServiceCoreConfig {
  /** @default 900 (15 minutes) */
  accessTokenTtlSeconds: number;
  /** A refresh token unused this long expires (`REFRESH_TOKEN_IDLE_SECONDS`). @default 8 hours */
  refreshTokenIdleSeconds?: number;
  /** No refresh token outlives its sign-in by more than this (`REFRESH_TOKEN_MAX_AGE_SECONDS`). @default 30 days */
  refreshTokenMaxAgeSeconds?: number;
  /** A signing key older than this is replaced. @default 30 days */
  signingKeyRotationSeconds: number;
  telegramBotUsername: string | null;
  upstream: UpstreamProvider | null;
  /** Staff sign-in in production; without it staff sign in through the demo login only. */
  staffUpstream?: StaffUpstreamProvider | null;
  internalClients: InternalClient[];
  /** @default {@link DEFAULT_OAUTH_THROTTLE} */
  oauthThrottle?: OAuthThrottleSettings;
  /**
   * Seals signing keys' private halves in the database (`IDENTITY_KEY_ENCRYPTION_KEY`, 32 bytes in
   * base64); required in production. Without it (demo) they are stored in clear.
   */
  keyEncryptionKey?: Buffer | null;
  /**
   * The key-encryption key being replaced (`IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY`): it still opens
   * the keys it sealed, which are sealed again with the new one at their next use.
   */
  previousKeyEncryptionKey?: Buffer | null;
  /**
   * Anagrafe's base URL (`ANAGRAFE_URL`), asked whether a child is a minor of the parent's family
   * when a minor child's delegation is recorded. Without it such delegations are refused.
   */
  anagrafeUrl?: string | null;
  /**
   * How often delegation ends are looked for (`DELEGATION_JOB_INTERVAL_MINUTES`; 0: never).
   * @default 60
   */
  delegationJobIntervalMinutes?: number;
}

/** `service=secret` pairs, comma-separated; the client id is `sportello-<service>`. */
function parseInternalClients(raw: string): InternalClient[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((pair) => {
    const [service = '', secret = ''] = pair.split('=').map((part) => part.trim());
    return { service, secret, clientId: `sportello-${service}` };
  });
}

/**
 * The demo internal clients, used only in demo mode when none are configured: the notifier, and a
 * pagoPA stand-in that records payment receipts at tributi (whose default provider is `pagopa`).
 */
export const DEMO_INTERNAL_CLIENTS: readonly InternalClient[] = [
  { clientId: 'sportello-notifier', service: 'notifier', secret: 'demo-notifier-secret' },
  { clientId: 'sportello-pagopa', service: 'pagopa', secret: 'demo-pagopa-secret' },
];

/**
 * The environment variables identity reads (the hub hands each service those of its own, no others),
 * and the reading of its configuration from them.
 */
export const {
  variables: IDENTITY_ENV_VARIABLES,
  load: loadIdentityConfig,
}: ServiceConfigDefinition<IdentityConfig> = defineServiceConfig(
  'identity',
  {
    ACCESS_TOKEN_TTL_SECONDS: envInteger({ min: 60, max: 3600 }, 900),
    REFRESH_TOKEN_IDLE_SECONDS: envInteger({ min: 60, max: 30 * 86_400 }, 8 * 3600),
    REFRESH_TOKEN_MAX_AGE_SECONDS: envInteger({ min: 60, max: 365 * 86_400 }, 30 * 86_400),
    SIGNING_KEY_ROTATION_HOURS: envInteger({ min: 1, max: 24 * 365 }, 24 * 30),
    TELEGRAM_BOT_USERNAME: envText(''),
    UPSTREAM_OIDC_ISSUER: envUrl(['http', 'https']).optional(),
    UPSTREAM_OIDC_CLIENT_ID: envText(''),
    UPSTREAM_OIDC_CLIENT_SECRET: envText(''),
    UPSTREAM_OIDC_SCOPE: envText('openid profile'),
    UPSTREAM_FISCAL_CODE_CLAIM: envText('fiscalNumber'),
    INTERNAL_CLIENT_SECRETS: envText(''),
    OAUTH_FAILURES_PER_CLIENT: envInteger(
      { min: 1, max: 1_000_000 },
      DEFAULT_OAUTH_THROTTLE.failuresPerClient,
    ),
    OAUTH_FAILURES_PER_ADDRESS: envInteger(
      { min: 1, max: 1_000_000 },
      DEFAULT_OAUTH_THROTTLE.failuresPerAddress,
    ),
    OAUTH_FAILURE_WINDOW_SECONDS: envInteger({ min: 1, max: 86_400 }, DEFAULT_OAUTH_THROTTLE.windowSeconds),
    IDENTITY_KEY_ENCRYPTION_KEY: envText(''),
    IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY: envText(''),
    STAFF_OIDC_ISSUER: envUrl(['http', 'https']).optional(),
    STAFF_OIDC_CLIENT_ID: envText(''),
    STAFF_OIDC_CLIENT_SECRET: envText(''),
    STAFF_OIDC_SCOPE: envText('openid profile email'),
    STAFF_USERNAME_CLAIM: envText('preferred_username'),
    STAFF_OIDC_CLIENTS: envText(DASHBOARD_CLIENT_ID),
    ANAGRAFE_URL: envUrl(['http', 'https']).optional(),
    DELEGATION_JOB_INTERVAL_MINUTES: envInteger({ min: 0, max: 24 * 60 }, 60),
  },
  {
    check(env, ctx) {
      for (const client of parseInternalClients(env.INTERNAL_CLIENT_SECRETS)) {
        if (!/^[a-z][a-z0-9-]{0,62}$/.test(client.service) || client.secret.length < 16) {
          ctx.addIssue({
            code: 'custom',
            path: ['INTERNAL_CLIENT_SECRETS'],
            message: 'expected service=secret pairs (lower-case service name, secret of 16+ characters)',
          });
        }
      }
      for (const name of ['IDENTITY_KEY_ENCRYPTION_KEY', 'IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY'] as const) {
        if (env[name] === '' || isKeyEncryptionKey(env[name])) continue;
        ctx.addIssue({ code: 'custom', path: [name], message: KEY_ENCRYPTION_KEY_FORMAT });
      }
      if (env.IDENTITY_KEY_ENCRYPTION_KEY === '' && env.IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY !== '') {
        ctx.addIssue({
          code: 'custom',
          path: ['IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY'],
          message: 'needs IDENTITY_KEY_ENCRYPTION_KEY, the key replacing it',
        });
      } else if (env.IDENTITY_KEY_ENCRYPTION_KEY === '' && env.SPORTELLO_MODE === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['IDENTITY_KEY_ENCRYPTION_KEY'],
          message: 'required in production: signing keys are never stored in clear',
        });
      }
      if (env.SPORTELLO_MODE === 'production' && env.UPSTREAM_OIDC_ISSUER === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['UPSTREAM_OIDC_ISSUER'],
          message: 'required in production (SPID/CIE login)',
        });
      }
      if (
        env.STAFF_OIDC_ISSUER !== undefined &&
        (env.STAFF_OIDC_CLIENT_ID === '' || env.STAFF_OIDC_CLIENT_SECRET === '')
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['STAFF_OIDC_CLIENT_ID'],
          message: 'client id and secret are required with a staff issuer',
        });
      }
      if (
        env.UPSTREAM_OIDC_ISSUER !== undefined &&
        (env.UPSTREAM_OIDC_CLIENT_ID === '' || env.UPSTREAM_OIDC_CLIENT_SECRET === '')
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['UPSTREAM_OIDC_CLIENT_ID'],
          message: 'client id and secret are required with an upstream issuer',
        });
      }
    },
    build: (raw) => {
      const internalClients = parseInternalClients(raw.INTERNAL_CLIENT_SECRETS);
      return {
        accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenIdleSeconds: raw.REFRESH_TOKEN_IDLE_SECONDS,
        refreshTokenMaxAgeSeconds: raw.REFRESH_TOKEN_MAX_AGE_SECONDS,
        signingKeyRotationSeconds: raw.SIGNING_KEY_ROTATION_HOURS * 3600,
        anagrafeUrl: raw.ANAGRAFE_URL ?? null,
        delegationJobIntervalMinutes: raw.DELEGATION_JOB_INTERVAL_MINUTES,
        telegramBotUsername: raw.TELEGRAM_BOT_USERNAME === '' ? null : raw.TELEGRAM_BOT_USERNAME,
        upstream:
          raw.UPSTREAM_OIDC_ISSUER === undefined
            ? null
            : {
                issuer: raw.UPSTREAM_OIDC_ISSUER,
                clientId: raw.UPSTREAM_OIDC_CLIENT_ID,
                clientSecret: raw.UPSTREAM_OIDC_CLIENT_SECRET,
                scope: raw.UPSTREAM_OIDC_SCOPE,
                fiscalCodeClaim: raw.UPSTREAM_FISCAL_CODE_CLAIM,
              },
        oauthThrottle: {
          failuresPerClient: raw.OAUTH_FAILURES_PER_CLIENT,
          failuresPerAddress: raw.OAUTH_FAILURES_PER_ADDRESS,
          windowSeconds: raw.OAUTH_FAILURE_WINDOW_SECONDS,
        },
        internalClients:
          internalClients.length === 0 && raw.SPORTELLO_MODE === 'demo'
            ? [...DEMO_INTERNAL_CLIENTS]
            : internalClients,
        staffUpstream:
          raw.STAFF_OIDC_ISSUER === undefined
            ? null
            : {
                issuer: raw.STAFF_OIDC_ISSUER,
                clientId: raw.STAFF_OIDC_CLIENT_ID,
                clientSecret: raw.STAFF_OIDC_CLIENT_SECRET,
                scope: raw.STAFF_OIDC_SCOPE,
                usernameClaim: raw.STAFF_USERNAME_CLAIM,
                clients: raw.STAFF_OIDC_CLIENTS.split(',')
                  .map((id) => id.trim())
                  .filter((id) => id !== ''),
              },
        keyEncryptionKey:
          raw.IDENTITY_KEY_ENCRYPTION_KEY === ''
            ? null
            : parseKeyEncryptionKey(raw.IDENTITY_KEY_ENCRYPTION_KEY),
        previousKeyEncryptionKey:
          raw.IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY === ''
            ? null
            : parseKeyEncryptionKey(raw.IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY),
      };
    },
  },
);
