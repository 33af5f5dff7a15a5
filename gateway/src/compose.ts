/**
 * `npm run compose`: composes the subgraphs' generated SDL into `schema/supergraph.graphql` and the
 * client-facing `schema/api.graphql`.
 *
 *   compose                    write the artefacts; fail on unacknowledged breaking API changes
 *   compose --check            compose in memory and fail if the committed artefacts drift
 *   compose --accept-baseline  release: the current API schema becomes the breaking-change baseline
 *   --root <dir>               repository root (default: two levels above this file)
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CompositionFailedError, NoSubgraphsError } from './composition/compose-supergraph.js';
import {
  acceptApiBaseline,
  checkSchemaArtefacts,
  SCHEMA_ARTEFACTS,
  writeSchemaArtefacts,
} from './composition/schema-artefacts.js';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    'accept-baseline': { type: 'boolean', default: false },
    root: { type: 'string' },
  },
});
const rootDir = values.root ?? fileURLToPath(new URL('../../', import.meta.url));

try {
  if (values['accept-baseline']) {
    acceptApiBaseline(rootDir);
    console.log(`${SCHEMA_ARTEFACTS.baseline} now equals ${SCHEMA_ARTEFACTS.api}; acknowledgements cleared.`);
  } else if (values.check) {
    const report = checkSchemaArtefacts(rootDir);
    if (report.subgraphs.length === 0)
      console.log('No subgraph has generated its schema.graphql yet: nothing to check.');
    for (const problem of report.problems) console.error(`✗ ${problem}`);
    if (report.problems.length > 0) process.exitCode = 1;
    else if (report.subgraphs.length > 0)
      console.log(`Schema artefacts match the composition of: ${report.subgraphs.join(', ')}`);
  } else {
    const outcome = writeSchemaArtefacts(rootDir);
    console.log(`Composed ${outcome.subgraphs.map((s) => s.path).join(', ')}`);
    for (const path of outcome.written) console.log(`  wrote ${path}`);
    for (const change of outcome.breaking?.acknowledged ?? [])
      console.log(`  acknowledged breaking change: ${change.description}`);
    for (const problem of outcome.problems) console.error(`✗ ${problem}`);
    if (outcome.problems.length > 0) process.exitCode = 1;
  }
} catch (error) {
  if (error instanceof NoSubgraphsError || error instanceof CompositionFailedError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
