/**
 * Writes the next identity migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/identity -- <name>` (after a build).
 */
import { runMigrationCommand } from '@sportello/platform';
import { IDENTITY_ENTITIES } from './entities/index.js';

await runMigrationCommand({
  service: 'identity',
  entities: IDENTITY_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
