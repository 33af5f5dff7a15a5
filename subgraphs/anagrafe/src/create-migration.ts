/**
 * Writes the next anagrafe migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/anagrafe -- <name>` (after a build).
 */
import { runMigrationCommand } from '@sportello/platform';
import { ANAGRAFE_ENTITIES } from './entities/index.js';

await runMigrationCommand({
  service: 'anagrafe',
  entities: ANAGRAFE_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
