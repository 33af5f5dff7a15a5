import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { AuditSink } from '../auth/audit.js';
import { createInternalAssertions, type InternalAssertions } from '../auth/internal-assertion.js';
import {
  createRevocationView,
  REVOCATIONS_PATH,
  type Revocation,
  type RevocationView,
} from '../auth/revocations.js';
import { createTokenVerifier, type JwksSource, type TokenVerifierOptions } from '../auth/token-verifier.js';
import type { EventBus } from '../bus/event-bus.js';
import type { ServiceCoreConfig } from '../config/service-config.js';
import {
  createDatabase,
  type AnyEntitySchema,
  type Database,
  type DatabaseDriver,
  type EntityManager,
  type MigrationSet,
} from '../database/database.js';
import { createErrorMasking } from '../errors/error-masking.js';
import { operationLimitsRule, SUBGRAPH_OPERATION_LIMITS } from '../graphql/operation-limits.js';
import { createRequestContextFactory, type DatabaseRequestContext } from '../http/request-context.js';
import type { ServiceRequest } from '../http/service-request.js';
import { createServiceServer, type Route, type ServiceServer } from '../http/service-server.js';
import type { Logger } from '../logging/logger.js';
import { createServiceMetrics, type ServiceMetrics } from '../observability/metrics.js';
import { createOutboxRelay, type OutboxRelay } from '../outbox/relay.js';

/** Where a service's database lives, as every service config carries it. */
export interface ServiceDatabaseConfig {
  driver: DatabaseDriver;
  /** A file path (or `:memory:`) for SQLite, a server URL for PostgreSQL. */
  url: string;
  /** Wins over a database named in a PostgreSQL `url`. @default `sportello_<service>` */
  postgresDatabase?: string;
}

/** Options of {@link openServiceDatabase}. */
export interface ServiceDatabaseOptions {
  /** Service name: names the PostgreSQL database. */
  service: string;
  config: ServiceDatabaseConfig;
  /** The service's entities; the outbox and inbox entities are added automatically. */
  entities: readonly AnyEntitySchema[];
  migrations: MigrationSet;
  logger: Logger;
}

/**
 * Opens a service's database from its config (SQLite file or PostgreSQL server). Nothing is
 * migrated: the service decides when (see {@link SubgraphRuntimeOptions.migrateOnListen}).
 *
 * @throws {DatabaseConfigError} when the config cannot work (e.g. an unreachable server).
 */
export function openServiceDatabase(options: ServiceDatabaseOptions): Promise<Database> {
  const { config } = options;
  return createDatabase({
    service: options.service,
    driver: config.driver,
    ...(config.driver === 'sqlite' ? { sqlitePath: config.url } : { postgresUrl: config.url }),
    ...(config.postgresDatabase === undefined ? {} : { postgresDatabase: config.postgresDatabase }),
    entities: options.entities,
    migrations: options.migrations,
    logger: options.logger,
  });
}

/**
 * The database a service runs on, migrated: the one its host lent (the host closes it), or else
 * its own, opened from its config (the service closes it, see
 * {@link SubgraphRuntimeOptions.ownsDatabase}).
 */
export async function migratedServiceDatabase(
  lent: Database | undefined,
  options: ServiceDatabaseOptions,
): Promise<{ database: Database; ownsDatabase: boolean }> {
  const database = lent ?? (await openServiceDatabase(options));
  await database.migrate();
  return { database, ownsDatabase: lent === undefined };
}

/**
 * Work a service runs beside its HTTP server (schedulers, consumers, bulk runners). Started after
 * the outbox relay and before the server listens; stopped after the server closes, before the relay.
 */
export interface SubgraphWorker {
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** What a service's routes may use: the pieces the runtime built. */
export interface SubgraphRuntimeParts<Context> {
  readonly database: Database;
  /** `undefined` when the service has no outbox relay (see {@link SubgraphRuntimeOptions.relayTo}). */
  readonly relay: OutboxRelay | undefined;
  /** The verified caller, comune and a comune-scoped EntityManager of a request. */
  readonly requestContext: (request: ServiceRequest) => Promise<DatabaseRequestContext<EntityManager>>;
  /** The service's full GraphQL context of a request. */
  readonly context: (request: ServiceRequest) => Promise<Context>;
  /** Signs the service's calls to the others; `undefined` without an internal secret. */
  readonly internal: InternalAssertions | undefined;
  /** The revocations the service's token verifier honours; `undefined` without a source. */
  readonly revocations: RevocationView | undefined;
  /** The service's metrics, served at `/metrics`: add the service's own to them. */
  readonly metrics: ServiceMetrics;
}

/** Options of {@link createSubgraphRuntime}. */
export interface SubgraphRuntimeOptions<Context extends BaseContext> {
  /** Service name, for logs and the health check. */
  service: string;
  logger: Logger;
  /** The service's database, opened by {@link openServiceDatabase} or lent by the host. */
  database: Database;
  /** Whether `close` closes the database: `false` when the host lent it and closes it itself. */
  ownsDatabase: boolean;
  /** Applies pending migrations on the first `listen` (services that migrate at creation say `false`). @default false */
  migrateOnListen?: boolean;
  /** How tokens are verified: issuer, audience and where the keys come from. */
  tokens: TokenVerifierOptions;
  /**
   * The deployment's `INTERNAL_SECRET`: requests without the gateway's (or a service's) assertion
   * are refused with 401, and the service signs its own calls (the JWKS included). `null` or absent:
   * the service answers anyone (run alone in demo mode).
   */
  internalSecret?: string | null;
  /**
   * Where revocations come from: `access.revoked` on the bus, and identity's list (its URL, or for
   * identity itself a function) at start and every minute. Matching tokens are refused within a
   * second of the revocation, whatever their expiry. Absent: tokens live until they expire (tests).
   */
  revocations?: { bus: EventBus; list: URL | (() => Promise<Revocation[]>) };
  /** The comune of anonymous requests that name none (`x-comune`). */
  defaultComune: string;
  /** The audit sink of the request context. @default a logging sink */
  audit?: AuditSink;
  /**
   * The bus the outbox relay publishes to. `null`: the service keeps no outbox, so no relay is
   * created, started or nudged.
   */
  relayTo: EventBus | null;
  schema: GraphQLSchema;
  /** Builds the service's GraphQL context from the shared request context. */
  context(base: DatabaseRequestContext<EntityManager>, request: ServiceRequest): Promise<Context> | Context;
  /** Endpoints next to `/graphql` and `/health`, given as is or built from the runtime's parts. */
  routes?: readonly Route[] | ((parts: SubgraphRuntimeParts<Context>) => readonly Route[]);
  /** Apollo plugins after error masking (e.g. `auditFlushPlugin()`). */
  plugins?: readonly ApolloServerPlugin<Context>[];
  /** Largest accepted request body. @default 1_048_576 */
  maxBodyBytes?: number;
  /** Started on `listen`, in order; stopped on `close`, in reverse order. */
  workers?: readonly SubgraphWorker[];
  /**
   * The bus `/ready` checks. @default `relayTo`, else the revocations' bus (none: only the database
   * is checked)
   */
  bus?: EventBus;
  /** The service's metrics, when it made them first (to count in its own parts). @default new ones */
  metrics?: ServiceMetrics;
  /** More checks for `/ready` beside the database and the bus, by name. */
  readiness?: Readonly<Record<string, () => Promise<void>>>;
}

/**
 * How a service other than identity checks its callers, from its core config: tokens verified with
 * identity's keys (the host's copy when it lends one, else `jwksUrl`), the internal secret,
 * revocations from the bus and from identity's list beside its keys, and the comune of anonymous
 * requests. Spread into {@link SubgraphRuntimeOptions}.
 */
export function identityCheckedCallers(
  config: Pick<
    ServiceCoreConfig,
    'tokenIssuer' | 'tokenAudience' | 'jwksUrl' | 'internalSecret' | 'defaultComune'
  >,
  host: { bus: EventBus; jwks?: JwksSource | undefined },
): Pick<SubgraphRuntimeOptions<BaseContext>, 'tokens' | 'internalSecret' | 'revocations' | 'defaultComune'> {
  return {
    tokens: { issuer: config.tokenIssuer, audience: config.tokenAudience, jwks: host.jwks ?? config.jwksUrl },
    internalSecret: config.internalSecret,
    revocations: { bus: host.bus, list: new URL(REVOCATIONS_PATH, config.jwksUrl) },
    defaultComune: config.defaultComune,
  };
}

/** The handle {@link createSubgraphRuntime} returns. */
export interface SubgraphRuntime<Context extends BaseContext> extends SubgraphRuntimeParts<Context> {
  readonly apollo: ApolloServer<Context>;
  readonly server: ServiceServer;
  /** Applies pending migrations, once per runtime (later calls return at once). */
  migrate(): Promise<void>;
  /** Publishes pending outbox events now. @returns how many were published (0 without a relay) */
  flushOutbox(): Promise<number>;
  /**
   * Migrates (with `migrateOnListen`), starts the relay and the workers, then listens.
   * Port 0 picks a free port. @returns the base URL
   */
  listen(port: number, host?: string): Promise<string>;
  /** Closes the server, stops the workers and the relay, then closes the database if it owns it. */
  close(): Promise<void>;
}

/**
 * The runtime every subgraph shares: token verification, the per-request context with its
 * comune-scoped EntityManager, the outbox relay, an Apollo server with error masking that logs
 * through the service logger, and the HTTP server with `/graphql`, the service's routes, a
 * `/health` that asks the database `select 1`, a `/ready` that also asks the bus, and `/metrics`
 * (requests, outbox backlog and relay lag, and whatever the service adds). The service keeps what is its own (schema, context,
 * routes, jobs) and its handle; nothing listens, relays or runs until `listen`.
 *
 * @example
 * const database = await openServiceDatabase({ service: 'practices', config: config.database, entities, migrations, logger });
 * const runtime = createSubgraphRuntime<PracticesContext>({
 *   service: 'practices', logger, database, ownsDatabase: true, migrateOnListen: true,
 *   tokens: { issuer: config.tokenIssuer, audience: config.tokenAudience, jwks: config.jwksUrl },
 *   defaultComune: config.defaultComune, relayTo: bus, schema,
 *   context: (base) => createPracticesContext(base, settings),
 * });
 * const url = await runtime.listen(0);
 */
export function createSubgraphRuntime<Context extends BaseContext>(
  options: SubgraphRuntimeOptions<Context>,
): SubgraphRuntime<Context> {
  const { service, logger, database } = options;
  const internal = internalAssertionsFor(service, options.internalSecret);
  const revocations =
    options.revocations === undefined
      ? undefined
      : createRevocationView({
          bus: options.revocations.bus,
          list: options.revocations.list,
          ...(internal ? { headers: internal.headers } : {}),
          logger,
        });
  // The revocations this service makes itself (identity's) apply at their commit: the request that
  // made one is answered after, and the next one with an ended token is refused, bus or not.
  if (revocations) {
    database.onEventsCommitted((_, events) => {
      for (const event of events) revocations.hear(event);
    });
  }
  const requestContext = createRequestContextFactory({
    verifier: createTokenVerifier({
      ...options.tokens,
      ...(internal && options.tokens.jwks instanceof URL ? { jwksHeaders: internal.headers } : {}),
      ...(revocations ? { revocations } : {}),
    }),
    defaultComune: options.defaultComune,
    logger,
    database,
    audit: options.audit,
  });
  const context = async (request: ServiceRequest) => options.context(await requestContext(request), request);
  const metrics = options.metrics ?? createServiceMetrics({ service });
  const relay =
    options.relayTo === null
      ? undefined
      : createOutboxRelay({ database, bus: options.relayTo, logger, metrics });
  if (relay) metrics.watchOutbox(database);
  const bus = options.bus ?? options.relayTo ?? options.revocations?.bus;
  const masking = createErrorMasking<Context>(logger);
  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    // A second line behind the gateway's limits, for whatever reaches the service another way.
    parseOptions: { maxTokens: SUBGRAPH_OPERATION_LIMITS.maxTokens },
    validationRules: [operationLimitsRule(SUBGRAPH_OPERATION_LIMITS)],
    // Apollo's own messages go through the service's masking logger, at its level.
    logger,
    formatError: masking.formatError,
    // The relay publishes when a transaction commits outbox events: no per-response nudge needed.
    plugins: [masking.plugin, ...(options.plugins ?? [])],
  });
  const parts: SubgraphRuntimeParts<Context> = {
    database,
    relay,
    requestContext,
    context,
    internal,
    revocations,
    metrics,
  };
  const routes = typeof options.routes === 'function' ? options.routes(parts) : options.routes;
  const server = createServiceServer<Context>({
    name: service,
    apollo,
    logger,
    routes,
    maxBodyBytes: options.maxBodyBytes,
    context,
    ...(internal ? { internal } : {}),
    health: async () => {
      await database.forkUnscoped().getConnection().execute('select 1');
    },
    readiness: {
      database: async () => {
        await database.forkUnscoped().getConnection().execute('select 1');
      },
      ...(bus ? { bus: async () => bus.ready?.() } : {}),
      ...options.readiness,
    },
    metrics,
  });
  const workers = options.workers ?? [];

  let migrated = false;
  async function migrate(): Promise<void> {
    if (migrated) return;
    await database.migrate();
    migrated = true;
  }

  return {
    ...parts,
    apollo,
    server,
    migrate,
    flushOutbox: async () => (relay === undefined ? 0 : relay.flush()),
    async listen(port, host) {
      if (options.migrateOnListen === true) await migrate();
      await revocations?.start();
      relay?.start();
      for (const worker of workers) await worker.start?.();
      return server.listen(port, host);
    },
    async close() {
      await server.close();
      for (const worker of [...workers].reverse()) await worker.stop?.();
      await relay?.stop();
      await revocations?.close();
      if (options.ownsDatabase) await database.close();
    },
  };
}

/** The assertions a service signs and checks with the deployment's secret; none without one. */
export function internalAssertionsFor(
  service: string,
  secret: string | null | undefined,
): InternalAssertions | undefined {
  return secret ? createInternalAssertions({ secret, caller: service }) : undefined;
}
