/**
 * Writes the next civil-protection migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/civil-protection -- <name>` (after a build).
 */
import { runMigrationCommand } from '@sportello/platform';
import { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';

await runMigrationCommand({
  service: 'civil-protection',
  entities: CIVIL_PROTECTION_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
