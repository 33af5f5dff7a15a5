/**
 * Writes the next civil-protection migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/civil-protection -- <name>` (after a build).
 */
import { createMigration } from '@sportello/platform';
import { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';

const result = await createMigration({
  service: 'civil-protection',
  entities: CIVIL_PROTECTION_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
for (const [dialect, written] of Object.entries(result)) {
  process.stdout.write(
    written === undefined
      ? `${dialect}: no changes\n`
      : `${dialect}: ${written.fileName} (${written.statements} statements)\n`,
  );
}
