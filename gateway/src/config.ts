import { createHash } from 'node:crypto';
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
    /** Supergraph SDL, normally the committed `schema/supergraph.graphql`. */
    supergraphSdl: z.string().min(1),
    /** Subgraph name (as in the supergraph) -> GraphQL endpoint URL. */
    subgraphUrls: z.record(z.string(), z.url()),
    /** @default true outside production */
    introspection: z.boolean().optional(),
    /** Trust `X-Forwarded-For` for the client IP (only behind a proxy that sets it). */
    trustProxy: z.boolean().default(false),
    limits: z
      .object({
        maxDepth: positive(12),
        maxAliases: positive(30),
        maxTokens: positive(2_000),
        maxCost: positive(10_000),
        /** Assumed size of a list field without a `first`/`last`/`limit` argument, for cost. */
        defaultListSize: positive(20),
        maxBodyBytes: positive(100_000),
        requestTimeoutMs: positive(15_000),
        subgraphTimeoutMs: positive(10_000),
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
      })
      .prefault({}),
    /** Automatic persisted queries: cache size in bytes of stored documents, or false to disable. */
    apqCacheBytes: z.union([z.literal(false), z.number().int().positive()]).default(8 * 1024 * 1024),
    /** Client id -> registered operations. */
    trustedDocuments: z.record(z.string(), clientDocumentsSchema).default({}),
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
