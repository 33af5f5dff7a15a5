import { assertMigrationsMatchEntities } from '@sportello/platform';
import { LOCAL_POSTGRES_URL } from '@sportello/test-support';
import { describe, it } from 'vitest';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { IDENTITY_ENTITIES } from './index.js';

describe('identity migrations', () => {
  it('produce exactly the schema the entities describe, on both dialects', async () => {
    await assertMigrationsMatchEntities({
      service: 'identity',
      entities: IDENTITY_ENTITIES,
      migrations: { sqlite, postgresql },
      postgresUrl: LOCAL_POSTGRES_URL,
    });
  });
});
