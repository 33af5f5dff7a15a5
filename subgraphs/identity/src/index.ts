import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import {
  consumerWorker,
  createJobScheduler,
  createSubgraphRuntime,
  internalAssertionsFor,
  migratedServiceDatabase,
  type Database,
  type EventBus,
  type Logger,
  type ServiceServer,
} from '@sportello/platform';
import type { IdentityConfig } from './config.js';
import { createIdentityContext, type IdentityContext } from './context.js';
import { DELEGATION_ENDS_JOB, delegationEndsJob, type DelegationEndsResult } from './jobs/delegation-ends.js';
import { createAnagrafeRegistry, type FamilyRegistry } from './domain/family-registry.js';
import { IDENTITY_ENTITIES } from './entities/index.js';
import { startAuditConsumer } from './events/audit-consumer.js';
import { buildIdentitySchema } from './graphql/schema.js';
import { accessTokenPurgeJob } from './jobs/access-token-purge.js';
import { oidcPayloadPurgeJob } from './jobs/oidc-payload-purge.js';
import { migrations as postgresqlMigrations } from './migrations/postgresql/index.js';
import { migrations as sqliteMigrations } from './migrations/sqlite/index.js';
import { KeyEncryption } from './oidc/key-encryption.js';
import { KeyRing } from './oidc/key-ring.js';
import { createOidcRoutes, DEFAULT_REFRESH_TOKEN_MAX_AGE_SECONDS } from './oidc/provider.js';
import { currentRevocations, revocationsRoute } from './oidc/revocations-route.js';
import { TokenIssuer } from './oidc/token-issuer.js';

export { loadIdentityConfig, IDENTITY_ENV_VARIABLES } from './config.js';
export { seedIdentity, setUpComune, type IdentitySeed } from './seed/index.js';
export { IDENTITY_ENTITIES } from './entities/index.js';
export {
  generateKeyEncryptionKey,
  isKeyEncryptionKey,
  KEY_ENCRYPTION_KEY_FORMAT,
} from './oidc/key-encryption.js';

/** What {@link createIdentity} needs from its host. */
export interface IdentityDeps {
  bus: EventBus;
  logger: Logger;
  /** An open identity database (migrated here); by default one is opened from `config.database`. */
  database?: Database;
  /** Anagrafe's families; by default asked over GraphQL at `config.anagrafeUrl` (none without it). */
  registry?: FamilyRegistry | null;
  /** The clock delegations are judged and ended by. @default the system clock */
  clock?: () => Date;
}

/** A running-ready identity service. */
export interface IdentityHandle {
  readonly schema: GraphQLSchema;
  readonly database: Database;
  readonly server: ServiceServer;
  /** Issues tokens directly, e.g. for the hub's own service calls. */
  readonly tokens: TokenIssuer;
  readonly keys: KeyRing;
  /** Runs one round of the delegation-ends job now (it also runs at start and on its interval). */
  runDelegationEnds(): Promise<DelegationEndsResult | undefined>;
  /** Starts the outbox relay and the audit consumer, and listens; returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Builds the identity subgraph and OIDC provider: opens and migrates the database, builds the
 * federated schema, prepares the HTTP server (GraphQL on /graphql plus the OIDC routes) and the
 * outbox relay. Nothing listens until `listen`.
 */
export async function createIdentity(config: IdentityConfig, deps: IdentityDeps): Promise<IdentityHandle> {
  const { logger, bus } = deps;
  const { database, ownsDatabase } = await migratedServiceDatabase(deps.database, {
    service: 'identity',
    config: config.database,
    entities: IDENTITY_ENTITIES,
    migrations: { sqlite: sqliteMigrations, postgresql: postgresqlMigrations },
    logger,
  });

  const ttlMs = config.accessTokenTtlSeconds * 1000;
  const keys = new KeyRing(
    {
      rotateAfterMs: config.signingKeyRotationSeconds * 1000,
      maxTokenLifetimeMs: ttlMs,
      encryption: config.keyEncryptionKey
        ? new KeyEncryption(config.keyEncryptionKey, config.previousKeyEncryptionKey ?? null)
        : undefined,
    },
    () => database.forkUnscoped(),
  );
  const tokens = new TokenIssuer(keys, {
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
  });

  const schema = await buildIdentitySchema();
  const clock = deps.clock ?? (() => new Date());
  const internal = internalAssertionsFor('identity', config.internalSecret);
  const registry =
    deps.registry !== undefined
      ? deps.registry
      : config.anagrafeUrl
        ? createAnagrafeRegistry({
            anagrafeUrl: config.anagrafeUrl,
            issueToken: (grant) => tokens.issue(grant),
            ...(internal ? { internalHeaders: () => internal.headers() } : {}),
          })
        : null;
  const jobs = createJobScheduler({
    database,
    logger,
    clock,
    jobs: [
      delegationEndsJob(database, config.delegationJobIntervalMinutes ?? 60),
      // The OpenID provider's expired sessions, codes and tokens leave its table every 15 minutes.
      oidcPayloadPurgeJob(database),
      // The records of access tokens past the revocation window go too, every 15 minutes.
      accessTokenPurgeJob(database, {
        signInMaxAgeSeconds: config.refreshTokenMaxAgeSeconds ?? DEFAULT_REFRESH_TOKEN_MAX_AGE_SECONDS,
      }),
    ],
  });
  const settings = { telegramBotUsername: config.telegramBotUsername, registry, clock };
  const runtime = createSubgraphRuntime<IdentityContext>({
    service: 'identity',
    logger,
    database,
    ownsDatabase,
    // Identity verifies tokens it receives like any subgraph, with its own published keys.
    tokens: {
      issuer: config.tokenIssuer,
      audience: config.tokenAudience,
      jwks: async () => ({ keys: await keys.publishedKeys() }),
      jwksCooldownSec: 1,
    },
    internalSecret: config.internalSecret,
    // Identity honours revocations like every service, reading its own list.
    revocations: { bus, list: () => currentRevocations(database) },
    defaultComune: config.defaultComune,
    relayTo: bus,
    schema,
    plugins: [
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue }) {
              // A staff read is not answered unless its audit entry is stored.
              await contextValue.auditTrail?.flush(contextValue.em);
            },
          };
        },
      },
    ],
    context: (base) => createIdentityContext(base, settings),
    routes: ({ revocations }) => [
      ...createOidcRoutes({ config, database, keys, tokens, logger, revocations }),
      revocationsRoute(database),
    ],
    workers: [
      // Other services' staff reads land in the audit log (see `audit.personal-data-read`).
      consumerWorker(() => startAuditConsumer({ bus, database, logger })),
      // Minor children's delegations end at their 18th birthday, announced to both people.
      jobs,
    ],
  });

  return {
    schema,
    database,
    server: runtime.server,
    tokens,
    keys,
    async runDelegationEnds() {
      const run = await jobs.runNow(DELEGATION_ENDS_JOB);
      return run.status === 'done' ? (run.result as DelegationEndsResult) : undefined;
    },
    listen: (port = config.port, host = config.host) => runtime.listen(port, host),
    close: () => runtime.close(),
  };
}
