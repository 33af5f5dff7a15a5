import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DataloaderType,
  MikroORM,
  UniqueConstraintViolationException,
  type EntitySchema,
  type MigrationObject,
  type Options,
} from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { InboxEntry } from '../outbox/inbox-entry.entity.js';
import { type CommittedEventsListener, OutboxCommitWatch } from '../outbox/commit-watch.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { EmbeddedSqliteDriver } from './sqlite-driver.js';
import { TENANT_FILTER, assertIstatCode, tenantFilter, tenantGuard, type TenantScope } from './tenancy.js';

/** The two storage modes: SQLite (embedded) and PostgreSQL (distributed). */
export type DatabaseDriver = 'sqlite' | 'postgresql';

/** A forked EntityManager, the same type on both drivers. */
export type EntityManager = SqlEntityManager<AbstractSqlDriver>;

/** Any entity definition (`defineEntity` result or `EntitySchema`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEntitySchema = EntitySchema<any, any>;

/**
 * A service's migrations, one ordered list per dialect, as written by `createMigration`
 * (each dialect folder has a generated `index.ts` exporting `migrations`).
 */
export interface MigrationSet {
  sqlite: readonly MigrationObject[];
  postgresql: readonly MigrationObject[];
}

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  /** Service name (`identity`, `practices`...): names the PostgreSQL database. */
  service: string;
  driver: DatabaseDriver;
  /** SQLite file; its folder is created if missing. `:memory:` only makes sense in tests. */
  sqlitePath?: string;
  /**
   * PostgreSQL URL. A database named in its path is this service's database (created if missing);
   * without one, {@link postgresDatabase} or `sportello_<service>`.
   */
  postgresUrl?: string;
  /** Wins over a database named in {@link postgresUrl}. @default `sportello_<service>` (dashes become underscores) */
  postgresDatabase?: string;
  /** The service's entities; the outbox and inbox entities are added automatically. */
  entities: readonly AnyEntitySchema[];
  migrations: MigrationSet;
  logger?: Logger;
  /** Logs every SQL query at debug level. @default false */
  debug?: boolean;
}

/** The handle {@link createDatabase} returns. */
export interface Database {
  readonly service: string;
  readonly driver: DatabaseDriver;
  readonly orm: MikroORM;
  /** A fresh EntityManager that sees and writes only the given comune's records. @throws TenantViolationError */
  fork(context: { comune: string }): EntityManager;
  /** A fresh EntityManager for system jobs that explicitly span comuni (outbox relay, migrations, reports). */
  forkUnscoped(): EntityManager;
  /**
   * Calls `listener` right after a transaction commits outbox events (see `recordEvent`), with their
   * ids: the outbox relay publishes then, not at its next poll.
   * @returns a function that removes the listener
   */
  onEventsCommitted(listener: CommittedEventsListener): () => void;
  /** Applies pending migrations (never schema auto-sync). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown for an unusable database configuration. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

/** Entities every service database carries besides its own. */
export const PLATFORM_ENTITIES: readonly AnyEntitySchema[] = [OutboxMessage, InboxEntry];

/** The service's entities plus the platform ones, without duplicates. */
export function withPlatformEntities(entities: readonly AnyEntitySchema[]): AnyEntitySchema[] {
  return [...new Set([...entities, ...PLATFORM_ENTITIES])];
}

/** Default PostgreSQL database name of a service. */
export function defaultPostgresDatabase(service: string): string {
  return `sportello_${service.replace(/-/g, '_')}`;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * MikroORM options shared by the runtime and by the migration tooling, so both see the very same
 * metadata (and so the same schema).
 * @internal
 */
export function ormOptions(
  options: Pick<DatabaseOptions, 'driver' | 'entities' | 'logger' | 'debug'> & {
    dbName: string;
    clientUrl?: string;
    migrations: readonly MigrationObject[];
  },
): Partial<Options> {
  const tenantOwned = new Set<string>();
  const isTenantOwned = (entityName: string) => tenantOwned.has(entityName);
  const base: Partial<Options> = {
    dbName: options.dbName,
    entities: withPlatformEntities(options.entities),
    dataloader: DataloaderType.ALL,
    filters: { [TENANT_FILTER]: tenantFilter(isTenantOwned) },
    subscribers: [tenantGuard(isTenantOwned)],
    extensions: [Migrator],
    migrations: {
      migrationsList: [...options.migrations],
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    // Environment variables are read by the app's config, never behind its back.
    preferEnvVars: false,
    // Done explicitly by createDatabase, which copes with replicas creating it at the same time.
    ensureDatabase: false,
    debug: options.debug ?? false,
    logger: (message: string) => options.logger?.debug({ orm: true }, message),
    discovery: {
      onMetadata: (meta) => {
        if (meta.properties['comune'] !== undefined && meta.className !== undefined) {
          tenantOwned.add(meta.className);
        }
      },
    },
  };
  if (options.driver === 'sqlite') {
    return { ...base, driver: EmbeddedSqliteDriver, onCreateConnection: yieldBeforeEachStatement };
  }
  return { ...base, driver: PostgreSqlDriver, clientUrl: options.clientUrl };
}

/** The statement runner of the SQLite connection (libsql's, under Kysely). */
interface StatementRunner {
  executeQuery(query: unknown): Promise<unknown>;
}

/**
 * libsql runs each statement synchronously on the event loop, so a unit of work of many statements
 * (a flush, a transaction) is one long run of promise continuations during which no socket is
 * read. In the embedded hub every service shares that loop: a subscriber's update or an HTTP answer
 * would wait behind another service's whole transaction. Letting I/O in before each statement
 * bounds that wait to one statement; the connection stays held by the transaction meanwhile.
 */
async function yieldBeforeEachStatement(connection: unknown): Promise<void> {
  const runner = connection as StatementRunner;
  const execute = runner.executeQuery.bind(runner);
  runner.executeQuery = async (query) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return execute(query);
  };
}

/**
 * The database a PostgreSQL URL names in its path (`postgres://host/sportello_identity`), if any:
 * a deployment (or a test) then chooses each service's database through its `DATABASE_URL`.
 */
export function postgresDatabaseNamedIn(postgresUrl: string): string | undefined {
  postgresServerUrl(postgresUrl); // validates, with a clear error
  const name = decodeURIComponent(new URL(postgresUrl).pathname.slice(1));
  return name === '' ? undefined : name;
}

/** Strips the database from a PostgreSQL URL: the server is reached through its maintenance database. @throws DatabaseConfigError */
export function postgresServerUrl(postgresUrl: string): string {
  let url: URL;
  try {
    url = new URL(postgresUrl);
  } catch {
    throw new DatabaseConfigError('postgresUrl is not a valid URL (expected postgres://user@host:port)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(
      `postgresUrl must start with postgres:// or postgresql://, got ${url.protocol}//`,
    );
  }
  url.pathname = '';
  return url.toString();
}

async function ensurePostgresDatabase(orm: MikroORM, dbName: string): Promise<void> {
  try {
    await orm.schema.ensureDatabase();
  } catch (error) {
    const duplicate =
      error instanceof UniqueConstraintViolationException || (error as { code?: unknown }).code === '42P04';
    if (!duplicate) {
      throw error;
    }
    // Another replica created it between our check and our create: use theirs.
    orm.config.set('dbName', dbName);
    await orm.driver.reconnect();
  }
}

/**
 * Opens a service's database: SQLite in embedded mode, PostgreSQL (one database per service,
 * created if missing) in distributed mode. The schema comes only from migrations: call
 * `migrate()` before serving.
 *
 * @throws DatabaseConfigError when the driver's location option is missing or malformed.
 */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (!SERVICE_NAME.test(options.service)) {
    throw new DatabaseConfigError(
      `service must be lowercase letters, digits and dashes, got "${options.service}"`,
    );
  }
  let orm: MikroORM;
  if (options.driver === 'sqlite') {
    const path = options.sqlitePath;
    if (path === undefined || path === '') {
      throw new DatabaseConfigError(
        `sqlitePath is required for the sqlite driver (service ${options.service})`,
      );
    }
    if (path !== ':memory:') {
      await mkdir(dirname(path), { recursive: true });
    }
    orm = await MikroORM.init(
      ormOptions({ ...options, dbName: path, migrations: options.migrations.sqlite }),
    );
    if (path !== ':memory:') {
      // WAL lets readers (another process, a backup) work while a write is in progress.
      await orm.em.getConnection().execute('pragma journal_mode = wal');
    }
    await orm.em.getConnection().execute('pragma busy_timeout = 5000');
    // With WAL, NORMAL syncs at checkpoints instead of at every commit: a commit survives a crash
    // of the process, and only a power loss or OS crash may undo the latest ones (the file stays
    // consistent). libsql syncs on the event loop, which the embedded hub's services all share: a
    // sync per commit stalled every request behind the disk.
    await orm.em.getConnection().execute('pragma synchronous = normal');
  } else if (options.driver === 'postgresql') {
    if (options.postgresUrl === undefined || options.postgresUrl === '') {
      throw new DatabaseConfigError(
        `postgresUrl is required for the postgresql driver (service ${options.service})`,
      );
    }
    const dbName =
      options.postgresDatabase ??
      postgresDatabaseNamedIn(options.postgresUrl) ??
      defaultPostgresDatabase(options.service);
    orm = await MikroORM.init(
      ormOptions({
        ...options,
        dbName,
        clientUrl: postgresServerUrl(options.postgresUrl),
        migrations: options.migrations.postgresql,
      }),
    );
    await ensurePostgresDatabase(orm, dbName);
  } else {
    throw new DatabaseConfigError(`driver must be "sqlite" or "postgresql", got "${String(options.driver)}"`);
  }
  options.logger?.debug({ service: options.service, driver: options.driver }, 'database opened');

  const commits = new OutboxCommitWatch(options.service);
  orm.em.getEventManager().registerSubscriber(commits);
  const root = orm.em as unknown as EntityManager;
  const forkWith = (scope: TenantScope): EntityManager => {
    const em = root.fork({ clear: true, freshEventManager: false });
    em.setFilterParams(TENANT_FILTER, scope);
    return em;
  };

  return {
    service: options.service,
    driver: options.driver,
    orm,
    fork({ comune }) {
      assertIstatCode(comune);
      return forkWith({ comune });
    },
    forkUnscoped() {
      return forkWith({ unscoped: true });
    },
    onEventsCommitted(listener) {
      return commits.listen(listener);
    },
    async migrate() {
      let applied: { name: string }[] = [];
      if (options.driver === 'postgresql') {
        // Replicas start together: the lock makes the others wait, then find nothing pending. It is
        // held by a transaction of its own, so the migrations run in theirs on another connection.
        await root.fork().transactional(async (tx) => {
          await tx.execute(`select pg_advisory_xact_lock(hashtext('sportello.migrations'))`);
          applied = await orm.migrator.up();
        });
      } else {
        applied = await orm.migrator.up();
      }
      if (applied.length > 0) {
        options.logger?.info(
          {
            service: options.service,
            database: orm.config.get('dbName'),
            migrations: applied.map((m) => m.name),
          },
          'migrations applied',
        );
      }
    },
    async close() {
      await orm.close(true);
    },
  };
}
