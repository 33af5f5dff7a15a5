/**
 * Writes the next practices migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/practices -- <name>` (after a build).
 */
import { createMigration } from '@sportello/platform';
import { PRACTICES_ENTITIES } from './entities/index.js';

const result = await createMigration({
  service: 'practices',
  entities: PRACTICES_ENTITIES,
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
