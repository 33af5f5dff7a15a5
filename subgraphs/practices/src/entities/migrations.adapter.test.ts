import { assertMigrationsMatchEntities } from '@sportello/platform';
import { LOCAL_POSTGRES_URL } from '@sportello/test-support';
import { describe, it } from 'vitest';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { PRACTICES_ENTITIES } from './index.js';

describe('practices migrations', () => {
  it('produce exactly the entities’ schema on SQLite and PostgreSQL', async () => {
    await assertMigrationsMatchEntities({
      service: 'practices',
      entities: PRACTICES_ENTITIES,
      migrations: { sqlite, postgresql },
      postgresUrl: LOCAL_POSTGRES_URL,
    });
  });
});
