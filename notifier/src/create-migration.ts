/* eslint-disable no-console -- a command-line script reports what it wrote */
/**
 * Writes the next notifier migration for both dialects from the entities:
 * `npm run migration:create -w @sportello/notifier -- <name>` (after a build).
 */
import { createMigration } from '@sportello/platform';
import { NOTIFIER_ENTITIES } from './entities/index.js';

const result = await createMigration({
  service: 'notifier',
  entities: NOTIFIER_ENTITIES,
  dir: 'src/migrations',
  name: process.argv[2],
});
for (const [dialect, written] of Object.entries(result)) {
  console.log(
    written === undefined
      ? `${dialect}: no changes`
      : `${dialect}: ${written.fileName} (${written.statements} statements)`,
  );
}
