/**
 * Writes the next tributi migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/tributi -- <name>` (after a build).
 */
import { runMigrationCommand } from '@sportello/platform';
import { TRIBUTI_ENTITIES } from './entities/index.js';

await runMigrationCommand({
  service: 'tributi',
  entities: TRIBUTI_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
