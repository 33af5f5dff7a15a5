import { assertMigrationsMatchEntities } from '@sportello/platform';
import { LOCAL_POSTGRES_URL } from '@sportello/test-support';
import { describe, it } from 'vitest';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { TRIBUTI_ENTITIES } from './index.js';

describe('tributi migrations', () => {
  it('produce exactly the entities’ schema on SQLite and PostgreSQL', async () => {
    await assertMigrationsMatchEntities({
      service: 'tributi',
      entities: TRIBUTI_ENTITIES,
      migrations: { sqlite, postgresql },
      postgresUrl: LOCAL_POSTGRES_URL,
    });
  });
});
