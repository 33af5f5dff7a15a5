import { createHash } from 'node:crypto';
import {
  checkDeploymentEnv,
  CORE_DEFAULTS,
  DEFAULT_PORTS,
  deploymentEnvShape,
  envBoolean,
  envInteger,
  envPort,
  envText,
  envUrl,
  type Environment,
  originOf,
  parseConfig,
  REVOCATIONS_PATH,
} from '@sportello/platform';
import { z } from 'zod';

const positive = (fallback: number) => z.number().int().positive().default(fallback);

/**
 * Operations a registered third-party app may run by hash (trusted documents). Keys are the
 * SHA-256 hex digest of the document text, as Apollo's persisted-query extension sends them.
 */
export const clientDocumentsSchema = z.object({
  /** When true the client may run nothing but these documents. */
  trustedOnly: z.boolean().default(false),
  operations: z.record(
    z.string().regex(/^[0-9a-f]{64}$/, 'keys must be SHA-256 hex digests'),
    z.string().min(1),
  ),
});

/** Everything {@link createGateway} needs; every limit has a default. */
export const gatewayConfigSchema = z
  .object({
    /** `production` turns introspection off and hides schema hints from error messages. */
    mode: z.enum(['demo', 'production']).default('demo'),
    /**
     * The public origin (`PUBLIC_URL`): where clients reach the gateway, and the base of the links
     * it hands out.
     */
    publicUrl: z.url().default(CORE_DEFAULTS.publicUrl),
    /**
     * The deployment's `INTERNAL_SECRET`: every subgraph fetch and forwarded request carries an
     * assertion signed with it, which services require. Absent: no assertion (services run without
     * a secret, demo only).
     */
    internalSecret: z.string().min(32).optional(),
    /** Supergraph SDL, normally the committed `schema/supergraph.graphql`. */
    supergraphSdl: z.string().min(1),
    /** Subgraph name (as in the supergraph) -> GraphQL endpoint URL. */
    subgraphUrls: z.record(z.string(), z.url()),
    /** @default true outside production */
    introspection: z.boolean().optional(),
    /**
     * One proxy in front of the gateway: the client's address is the last `X-Forwarded-For` entry
     * (what that proxy appended), never one the client wrote. Prefer `trustedProxies`.
     */
    trustProxy: z.boolean().default(false),
    /**
     * The proxies in front of the gateway, by address: `X-Forwarded-For` is read from the right,
     * skipping them; the first other address is the client. Only a request from one of them is
     * believed at all.
     */
    trustedProxies: z.array(z.string().min(1)).default([]),
    limits: z
      .object({
        maxDepth: positive(12),
        maxAliases: positive(30),
        maxTokens: positive(2_000),
        maxCost: positive(10_000),
        /** Assumed size of a list field without a `first`/`last`/`limit` argument, for cost. */
        defaultListSize: positive(20),
        maxBodyBytes: positive(100_000),
        /** Largest upload forwarded to a service (attachments). */
        maxUploadBytes: positive(12 * 1024 * 1024),
        requestTimeoutMs: positive(15_000),
        subgraphTimeoutMs: positive(10_000),
        /** Queries and mutations executing at once; the others wait their turn (queries first). */
        maxConcurrentOperations: positive(64),
        /** Operations waiting for a turn at once; past it, 503 `OVERLOADED`. */
        maxQueuedOperations: positive(2_000),
        /** Longest wait for a turn before 503 `OVERLOADED`. */
        maxQueueWaitMs: positive(10_000),
      })
      .prefault({}),
    rateLimits: z
      .object({
        /** Per client, when the token has no `rate_limit` claim (requests per minute). */
        clientPerMinute: positive(600),
        /** Per client IP address, authenticated or not (requests per minute). */
        ipPerMinute: positive(1_200),
        /** Buckets kept in memory per kind; the least recently used is forgotten beyond this. */
        maxTrackedKeys: positive(10_000),
        /**
         * How often each replica tells the others (over the bus) what it let through, so the
         * limits hold for all replicas together; 0 keeps each replica's budgets to itself.
         */
        syncIntervalMs: z.number().int().min(0).max(60_000).default(250),
      })
      .prefault({}),
    /** Events waiting for one live subscriber before it is dropped as too slow. */
    subscriptionQueueSize: positive(100),
    /** Live subscriptions one graphql-ws connection may hold. */
    maxSubscriptionsPerConnection: positive(50),
    /** Automatic persisted queries: cache size in bytes of stored documents, or false to disable. */
    apqCacheBytes: z.union([z.literal(false), z.number().int().positive()]).default(8 * 1024 * 1024),
    /** Client id -> registered operations. */
    trustedDocuments: z.record(z.string(), clientDocumentsSchema).default({}),
    /**
     * Public data (anonymous queries) under load: shared response cache, in-flight merging of
     * identical subgraph fetches and HTTP caching headers. See the README, "Public data".
     */
    publicData: z
      .object({
        /** Keep anonymous query responses in memory, shared by every anonymous caller. */
        responseCache: z.boolean().default(true),
        /**
         * Longest a public response is served after it was computed, in seconds: by the response
         * cache when no event says the data changed, and as `max-age` (and
         * `stale-while-revalidate`) for CDNs and browsers.
         */
        maxAgeSeconds: z.number().int().min(1).max(3_600).default(5),
        /** Memory of the response cache (bodies and keys); the least recently used go first. */
        maxBytes: positive(32 * 1024 * 1024),
        /** Merge identical anonymous subgraph fetches that are in flight at the same time. */
        dedupe: z.boolean().default(true),
      })
      .prefault({}),
    /**
     * Browser origins allowed to call the API cross-origin (`GATEWAY_CORS_ORIGINS`), `*` for any;
     * the public origin always is. @default `*` in a demo, none else in production
     */
    cors: z.object({ origins: z.union([z.literal('*'), z.array(z.url())]).optional() }).prefault({}),
    /** The comune's citizen portal, where the links of messages (`/portale/...`) lead. */
    portal: z.object({ url: z.url().optional(), preferencesUrl: z.url().optional() }).prefault({}),
    /** How the gateway learns which API clients are revoked (their live tokens are refused). */
    revocations: z
      .object({
        /**
         * Identity's `/internal/revocations`, read at start and every `refreshMs`; without it only
         * the `access.revoked` events heard on the bus count.
         */
        listUrl: z.url().optional(),
        refreshMs: positive(60_000),
      })
      .prefault({}),
    /**
     * The staff dashboard at `/dashboard`, signing staff in through identity (`issuer`, its base
     * URL) as the public client `clientId`; a clerk idle for `idleSeconds` is signed out. Without it
     * `/dashboard` is not served.
     */
    dashboard: z
      .object({
        issuer: z.url(),
        clientId: z.string().min(1).default('sportello-dashboard'),
        idleSeconds: z.number().int().min(60).max(86_400).default(1800),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    for (const [clientId, manifest] of Object.entries(config.trustedDocuments)) {
      for (const [hash, document] of Object.entries(manifest.operations)) {
        if (createHash('sha256').update(document).digest('hex') !== hash) {
          ctx.addIssue({
            code: 'custom',
            path: ['trustedDocuments', clientId, 'operations', hash],
            message: `the document's SHA-256 is not ${hash}`,
          });
        }
      }
    }
  });

/** Gateway configuration as given to {@link createGateway} (defaults not yet applied). */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
/** Gateway configuration with every default applied. */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
/** A registered client's trusted documents. */
export type ClientDocuments = z.output<typeof clientDocumentsSchema>;

/** The gateway configuration is unusable (programmer or deployment error). */
export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
}

/**
 * Applies defaults and checks the configuration.
 * @throws {GatewayConfigError} naming every bad setting.
 */
export function resolveGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`,
  );
  throw new GatewayConfigError(`Invalid gateway configuration: ${issues.join('; ')}`);
}

/**
 * `GATEWAY_SUBGRAPHS`: `name=url` pairs separated by commas, e.g.
 * `identity=http://127.0.0.1:4001/graphql,anagrafe=http://127.0.0.1:4002/graphql`.
 */
function envSubgraphUrls() {
  return envText().transform((raw, ctx) => {
    const urls: Record<string, string> = {};
    for (const entry of raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const at = entry.indexOf('=');
      const name = entry.slice(0, at).trim();
      const url = entry.slice(at + 1).trim();
      if (
        at <= 0 ||
        !/^[a-z][a-z0-9-]*$/.test(name) ||
        !URL.canParse(url) ||
        !/^https?:$/.test(new URL(url).protocol)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `expected name=http(s)://url pairs separated by commas; "${entry}" is not one`,
        });
        return z.NEVER;
      }
      urls[name] = url;
    }
    return urls;
  });
}

/** Environment variables of the gateway process (see the gateway README for the table). */
export const gatewayEnvSchema = z.object({
  ...deploymentEnvShape(),
  PORT: envPort(DEFAULT_PORTS.gateway),
  /** The gateway is the public face of the deployment: it listens on every interface. */
  HOST: envText('0.0.0.0'),
  GATEWAY_SUBGRAPHS: envSubgraphUrls(),
  /** @default the committed schema/supergraph.graphql */
  GATEWAY_SUPERGRAPH_FILE: envText().optional(),
  /** JSON file: client id -> { trustedOnly, operations: { sha256: document } }. */
  GATEWAY_TRUSTED_DOCUMENTS_FILE: envText().optional(),
  GATEWAY_INTROSPECTION: envBoolean().optional(),
  GATEWAY_TRUST_PROXY: envBoolean(false),
  /** Addresses of the proxies in front of the gateway, comma-separated (better than GATEWAY_TRUST_PROXY). */
  GATEWAY_TRUSTED_PROXIES: envText()
    .optional()
    .transform((raw) =>
      (raw ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  GATEWAY_MAX_DEPTH: envInteger({ min: 1, max: 100 }, 12),
  GATEWAY_MAX_ALIASES: envInteger({ min: 0, max: 10_000 }, 30),
  GATEWAY_MAX_TOKENS: envInteger({ min: 10, max: 1_000_000 }, 2_000),
  GATEWAY_MAX_COST: envInteger({ min: 1, max: 100_000_000 }, 10_000),
  GATEWAY_MAX_BODY_BYTES: envInteger({ min: 1_000, max: 50_000_000 }, 100_000),
  GATEWAY_MAX_UPLOAD_BYTES: envInteger({ min: 1_000, max: 500_000_000 }, 12 * 1024 * 1024),
  GATEWAY_DASHBOARD_IDLE_SECONDS: envInteger({ min: 60, max: 86_400 }, 1800),
  /** Browser origins that may call the API: comma-separated origins, or `*`. @default `*` in a demo, none in production */
  GATEWAY_CORS_ORIGINS: envText()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      if (raw === '*') return '*' as const;
      const origins = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const bad = origins.filter(
        (origin) => !URL.canParse(origin) || !/^https?:$/.test(new URL(origin).protocol),
      );
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `expected * or comma-separated http(s) origins; "${bad[0]}" is not one`,
        });
        return z.NEVER;
      }
      return origins;
    }),
  /** The comune's citizen portal: `/portale/<path>` links of messages redirect there. */
  PORTAL_URL: envUrl().optional(),
  /** Where `/portale/preferenze` leads. @default `<PORTAL_URL>/preferenze` */
  PREFERENCES_URL: envUrl().optional(),
  GATEWAY_REQUEST_TIMEOUT_MS: envInteger({ min: 100, max: 600_000 }, 15_000),
  GATEWAY_SUBGRAPH_TIMEOUT_MS: envInteger({ min: 100, max: 600_000 }, 10_000),
  GATEWAY_MAX_CONCURRENT_OPERATIONS: envInteger({ min: 1, max: 100_000 }, 64),
  GATEWAY_MAX_QUEUED_OPERATIONS: envInteger({ min: 1, max: 1_000_000 }, 2_000),
  GATEWAY_MAX_QUEUE_WAIT_MS: envInteger({ min: 1, max: 600_000 }, 10_000),
  GATEWAY_CLIENT_RATE_LIMIT: envInteger({ min: 1, max: 1_000_000 }, 600),
  GATEWAY_IP_RATE_LIMIT: envInteger({ min: 1, max: 1_000_000 }, 1_200),
  GATEWAY_RATE_LIMIT_SYNC_MS: envInteger({ min: 0, max: 60_000 }, 250),
  GATEWAY_RESPONSE_CACHE: envBoolean(true),
  GATEWAY_PUBLIC_MAX_AGE_SECONDS: envInteger({ min: 1, max: 3_600 }, 5),
  GATEWAY_RESPONSE_CACHE_BYTES: envInteger({ min: 1_024, max: 4 * 1024 * 1024 * 1024 }, 32 * 1024 * 1024),
  GATEWAY_DEDUPE: envBoolean(true),
  /** @default `/internal/revocations` on the origin of JWKS_URL (identity) */
  GATEWAY_REVOCATIONS_URL: envUrl().optional(),
  GATEWAY_REVOCATIONS_REFRESH_MS: envInteger({ min: 1_000, max: 3_600_000 }, 60_000),
});
export type GatewayEnv = z.output<typeof gatewayEnvSchema>;

/**
 * Reads the gateway's environment once, at boot.
 * @throws {ConfigError} naming every bad variable.
 */
export function parseGatewayEnv(env: Environment): GatewayEnv {
  return parseConfig(gatewayEnvSchema.superRefine(checkDeploymentEnv), env, { app: 'gateway' });
}

/** The {@link createGateway} configuration an environment describes, given the files it points to. */
export function gatewayConfigFromEnv(
  env: GatewayEnv,
  files: { supergraphSdl: string; trustedDocuments?: unknown },
): GatewayConfigInput {
  const publicUrl = originOf(env.PUBLIC_URL ?? CORE_DEFAULTS.publicUrl);
  return {
    mode: env.SPORTELLO_MODE,
    publicUrl,
    ...(env.INTERNAL_SECRET === undefined ? {} : { internalSecret: env.INTERNAL_SECRET }),
    supergraphSdl: files.supergraphSdl,
    subgraphUrls: env.GATEWAY_SUBGRAPHS,
    ...(env.GATEWAY_INTROSPECTION === undefined ? {} : { introspection: env.GATEWAY_INTROSPECTION }),
    trustProxy: env.GATEWAY_TRUST_PROXY,
    trustedProxies: env.GATEWAY_TRUSTED_PROXIES,
    limits: {
      maxDepth: env.GATEWAY_MAX_DEPTH,
      maxAliases: env.GATEWAY_MAX_ALIASES,
      maxTokens: env.GATEWAY_MAX_TOKENS,
      maxCost: env.GATEWAY_MAX_COST,
      maxBodyBytes: env.GATEWAY_MAX_BODY_BYTES,
      maxUploadBytes: env.GATEWAY_MAX_UPLOAD_BYTES,
      requestTimeoutMs: env.GATEWAY_REQUEST_TIMEOUT_MS,
      subgraphTimeoutMs: env.GATEWAY_SUBGRAPH_TIMEOUT_MS,
      maxConcurrentOperations: env.GATEWAY_MAX_CONCURRENT_OPERATIONS,
      maxQueuedOperations: env.GATEWAY_MAX_QUEUED_OPERATIONS,
      maxQueueWaitMs: env.GATEWAY_MAX_QUEUE_WAIT_MS,
    },
    rateLimits: {
      clientPerMinute: env.GATEWAY_CLIENT_RATE_LIMIT,
      ipPerMinute: env.GATEWAY_IP_RATE_LIMIT,
      syncIntervalMs: env.GATEWAY_RATE_LIMIT_SYNC_MS,
    },
    publicData: {
      responseCache: env.GATEWAY_RESPONSE_CACHE,
      maxAgeSeconds: env.GATEWAY_PUBLIC_MAX_AGE_SECONDS,
      maxBytes: env.GATEWAY_RESPONSE_CACHE_BYTES,
      dedupe: env.GATEWAY_DEDUPE,
    },
    dashboard: { issuer: gatewayTokenIssuer(env), idleSeconds: env.GATEWAY_DASHBOARD_IDLE_SECONDS },
    cors: {
      origins: env.GATEWAY_CORS_ORIGINS ?? (env.SPORTELLO_MODE === 'production' ? [] : '*'),
    },
    portal: {
      ...(env.PORTAL_URL === undefined ? {} : { url: env.PORTAL_URL }),
      ...(env.PREFERENCES_URL === undefined ? {} : { preferencesUrl: env.PREFERENCES_URL }),
    },
    revocations: {
      listUrl: env.GATEWAY_REVOCATIONS_URL ?? new URL(REVOCATIONS_PATH, env.JWKS_URL).toString(),
      refreshMs: env.GATEWAY_REVOCATIONS_REFRESH_MS,
    },
    ...(files.trustedDocuments === undefined
      ? {}
      : { trustedDocuments: files.trustedDocuments as GatewayConfigInput['trustedDocuments'] }),
  };
}

/** The `iss` of access tokens: `TOKEN_ISSUER`, or the public origin identity issues them as. */
export function gatewayTokenIssuer(env: GatewayEnv): string {
  return env.TOKEN_ISSUER ?? originOf(env.PUBLIC_URL ?? CORE_DEFAULTS.publicUrl);
}
