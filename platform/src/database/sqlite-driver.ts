import { LibSqlConnection, MikroORM as LibSqlMikroORM } from '@mikro-orm/libsql';
import { AbstractSqlDriver, SqlitePlatform, type Configuration, type Dictionary } from '@mikro-orm/sql';

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

/** MikroORM's libsql connection whose database handle keeps its prepared statements. */
class StatementCachingConnection extends LibSqlConnection {
  override createKyselyDialect(options: Dictionary): ReturnType<LibSqlConnection['createKyselyDialect']> {
    const configured = this.options.onCreateConnection ?? this.config.get('onCreateConnection');
    // The dialect opens the handle (MikroORM keeps it as `database`), then calls this hook.
    this.options.onCreateConnection = async (connection: unknown) => {
      cachePreparedStatements(this.nativeDatabase());
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
