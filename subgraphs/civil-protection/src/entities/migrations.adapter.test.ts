import { assertMigrationsMatchEntities } from '@sportello/platform';
import { LOCAL_POSTGRES_URL } from '@sportello/test-support';
import { describe, it } from 'vitest';
import { CIVIL_PROTECTION_ENTITIES } from './index.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';

describe('civil-protection migrations', () => {
  it('produce exactly the entities’ schema on SQLite and PostgreSQL', async () => {
    await assertMigrationsMatchEntities({
      service: 'civil-protection',
      entities: CIVIL_PROTECTION_ENTITIES,
      migrations: { sqlite, postgresql },
      postgresUrl: LOCAL_POSTGRES_URL,
    });
  });
});
