import { defaultPostgresDatabase, type Database } from '../database/database.js';

/**
 * The durable consumer's name for a service's inbox: the consumer goes with the inbox it fills, so a
 * deployment with a database of its own (another PostgreSQL database name) gets a consumer of its own
 * on a NATS server others share. On SQLite and on the service's default PostgreSQL database it is
 * `base` itself.
 *
 * @param base the consumer's name, also the inbox name given to `handleOnce`.
 */
export function consumerNameFor(
  base: string,
  database: Pick<Database, 'driver' | 'service' | 'orm'>,
): string {
  if (database.driver !== 'postgresql') return base;
  const name = String(database.orm.config.get('dbName') ?? '');
  if (name === '' || name === defaultPostgresDatabase(database.service)) return base;
  return `${name.replace(/[^A-Za-z0-9_-]/g, '_')}-${base}`;
}
