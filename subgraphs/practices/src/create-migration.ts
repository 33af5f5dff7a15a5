/**
 * Writes the next practices migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/practices -- <name>` (after a build).
 */
import { runMigrationCommand } from '@sportello/platform';
import { PRACTICES_ENTITIES } from './entities/index.js';

await runMigrationCommand({
  service: 'practices',
  entities: PRACTICES_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
