import { isRaw, JsonProperty, Utils, type Transaction } from '@mikro-orm/core';
import { LibSqlConnection, MikroORM as LibSqlMikroORM } from '@mikro-orm/libsql';
import {
  AbstractSqlDriver,
  SqlitePlatform,
  type Configuration,
  type Dictionary,
  type NativeQueryBuilder,
  type RawQueryFragment,
} from '@mikro-orm/sql';
import { CompiledQuery } from 'kysely';

/** The part of a libsql database handle the statement cache wraps. */
interface PreparingDatabase {
  prepare(sql: string): unknown;
}

/** How many prepared statements a SQLite connection keeps, least recently used dropped first. */
export const PREPARED_STATEMENTS_KEPT = 500;

/**
 * Makes `database.prepare` answer a statement it prepared before for the same SQL text, keeping the
 * {@link PREPARED_STATEMENTS_KEPT} most recently used. libsql compiles a statement on every
 * `prepare`, and MikroORM's dialect prepares every statement it runs: on the embedded hub, where
 * every service's statements share one event loop, compiling took about a third of the time spent
 * in SQLite. A cached statement is safe to run again: the connection runs one statement at a time
 * (its mutex), each to its end (`all` or `run`), and SQLite prepares it anew by itself after a
 * schema change.
 * @returns how many statements were compiled and how many were served from the cache
 */
export function cachePreparedStatements(
  database: PreparingDatabase,
  kept = PREPARED_STATEMENTS_KEPT,
): { compiled(): number; reused(): number } {
  const prepare = database.prepare.bind(database);
  const statements = new Map<string, unknown>();
  let compiled = 0;
  let reused = 0;
  database.prepare = (sql: string) => {
    const cached = statements.get(sql);
    if (cached !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      statements.delete(sql);
      statements.set(sql, cached);
      reused++;
      return cached;
    }
    const statement = prepare(sql);
    compiled++;
    statements.set(sql, statement);
    if (statements.size > kept) statements.delete(statements.keys().next().value!);
    return statement;
  };
  return { compiled: () => compiled, reused: () => reused };
}

/** A value as libsql binds it, the same value SQLite would read from MikroORM's inlined literal. */
function bindable(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'bigint':
      return value;
    case 'boolean':
      return value ? 1n : 0n;
    case 'number':
      // libsql binds every number as REAL: a whole one goes as INTEGER, as its literal would.
      return Number.isSafeInteger(value) ? BigInt(value) : value;
  }
  if (value instanceof Date) return BigInt(value.getTime());
  if (Buffer.isBuffer(value)) return value;
  return String(value);
}

/**
 * MikroORM's statement (`?` placeholders, `??` identifiers, `\\?` a literal question mark) with its
 * values bound as parameters instead of written into the SQL, so the same statement has the same
 * text whatever its values and its compiled form can be kept. Values turn into what MikroORM's
 * SQLite platform would have written: lists spread into one parameter each, objects as JSON, raw
 * fragments and identifiers written in.
 */
export function bindStatement(
  platform: SqlitePlatform,
  sql: string,
  params: readonly unknown[],
): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const placeholderFor = (value: unknown): string => {
    if (isRaw(value)) return platform.formatQuery(value.sql, value.params);
    if (Utils.isPlainObject(value) || (value as { [JsonProperty]?: unknown } | null)?.[JsonProperty]) {
      parameters.push(JSON.stringify(value));
      return '?';
    }
    if (Array.isArray(value)) return value.map(placeholderFor).join(', ');
    parameters.push(bindable(value));
    return '?';
  };
  let text = '';
  let next = 0;
  let from = 0;
  for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', from)) {
    if (at > 0 && sql[at - 1] === '\\') {
      text += `${sql.slice(from, at - 1)}?`;
      from = at + 1;
    } else if (sql[at + 1] === '?') {
      text += sql.slice(from, at) + platform.quoteIdentifier(params[next++] as string);
      from = at + 2;
    } else {
      text += sql.slice(from, at) + placeholderFor(params[next++]);
      from = at + 1;
    }
  }
  return { sql: text + sql.slice(from), parameters };
}

/** The counts of each connection's statement cache, by database handle. */
const statementCounts = new WeakMap<object, { compiled(): number; reused(): number }>();

/**
 * How many statements a SQLite connection (its libsql handle, MikroORM's `getNativeClient()`)
 * compiled and how many it ran again from its cache; undefined for another kind of handle.
 */
export function preparedStatementCounts(database: object): { compiled: number; reused: number } | undefined {
  const counts = statementCounts.get(database);
  return counts && { compiled: counts.compiled(), reused: counts.reused() };
}

/**
 * MikroORM's libsql connection, with two changes: its database handle keeps its prepared
 * statements, and statements go to SQLite with their values bound (MikroORM writes them into the
 * SQL text, which made nearly every statement a new one to compile).
 */
class StatementCachingConnection extends LibSqlConnection {
  override async execute<T>(
    query: string | NativeQueryBuilder | RawQueryFragment,
    params: readonly unknown[] | Dictionary<unknown> = [],
    method: 'all' | 'get' | 'run' = 'all',
    ctx?: Transaction,
    loggerContext?: Dictionary,
  ): Promise<T> {
    const signalled =
      loggerContext?.['signal'] != null || loggerContext?.['inflightQueryAbortStrategy'] != null;
    if (typeof query !== 'string' || !Array.isArray(params) || params.length === 0 || signalled) {
      return super.execute<T & Dictionary>(query, params, method, ctx, loggerContext) as Promise<T>;
    }
    await this.ensureConnection();
    const sql = this.config.get('onQuery')(query, params as unknown[]);
    const platform = this.platform as SqlitePlatform;
    const logged = this.config.getLogger().isEnabled('query-params', loggerContext)
      ? platform.formatQuery(sql, params as unknown[])
      : sql;
    const bound = bindStatement(platform, sql, params);
    const executor = (ctx ?? this.getClient()) as {
      executeQuery(query: CompiledQuery): Promise<unknown>;
    };
    return this.executeQuery(
      this.getSql(sql, logged, loggerContext),
      async () =>
        this.transformRawResult<T>(
          await executor.executeQuery(CompiledQuery.raw(bound.sql, bound.parameters)),
          method,
        ),
      { query: sql, params: params as unknown[], ...loggerContext },
    );
  }

  override createKyselyDialect(options: Dictionary): ReturnType<LibSqlConnection['createKyselyDialect']> {
    const configured = this.options.onCreateConnection ?? this.config.get('onCreateConnection');
    // The dialect opens the handle (MikroORM keeps it as `database`), then calls this hook.
    this.options.onCreateConnection = async (connection: unknown) => {
      const database = this.nativeDatabase();
      statementCounts.set(database, cachePreparedStatements(database));
      await configured?.(connection);
    };
    return super.createKyselyDialect(options);
  }

  private nativeDatabase(): PreparingDatabase {
    const database = (this as unknown as { database?: PreparingDatabase }).database;
    if (typeof database?.prepare !== 'function') {
      throw new Error('The libsql connection has no database handle to cache statements on');
    }
    return database;
  }
}

/**
 * MikroORM's libsql driver, with prepared statements kept per connection (see
 * {@link cachePreparedStatements}); everything else is the stock driver's.
 */
export class EmbeddedSqliteDriver extends AbstractSqlDriver<StatementCachingConnection> {
  constructor(config: Configuration) {
    super(config, new SqlitePlatform(), StatementCachingConnection, ['kysely', 'libsql']);
  }

  override getORMClass() {
    return LibSqlMikroORM;
  }
}
