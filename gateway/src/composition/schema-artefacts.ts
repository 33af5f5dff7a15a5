import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BreakingChangeReport,
  parseAcknowledgements,
  reviewBreakingChanges,
} from './breaking-changes.js';
import {
  type ComposedSchemas,
  composeSupergraph,
  NoSubgraphsError,
  type SubgraphSource,
} from './compose-supergraph.js';

/** Where the artefacts live, relative to the repository root. */
export const SCHEMA_ARTEFACTS = {
  supergraph: 'schema/supergraph.graphql',
  api: 'schema/api.graphql',
  baseline: 'schema/api.baseline.graphql',
  acknowledgements: 'schema/breaking-changes.json',
} as const;

/** The acknowledgement file as written after a release: it explains itself, since JSON has no comments. */
const EMPTY_ACKNOWLEDGEMENTS = `${JSON.stringify(
  {
    $comment:
      'Breaking changes of schema/api.graphql since schema/api.baseline.graphql, each accepted on purpose. Add { "type", "description" } exactly as `npm run compose` prints them, with a "reason". `node gateway/dist/compose.js --accept-baseline` (a release) empties this list.',
    acknowledged: [],
  },
  null,
  2,
)}\n`;

/** A subgraph SDL file found in the repository. */
export interface SubgraphSdlFile extends SubgraphSource {
  /** Path relative to the repository root, e.g. `subgraphs/identity/schema.graphql`. */
  path: string;
}

/**
 * Finds the SDL each subgraph generated from its code: `subgraphs/<name>/schema.graphql` and
 * `notifier/schema.graphql`. Subgraphs that have not generated one yet are simply absent.
 */
export function readSubgraphSdlFiles(rootDir: string): SubgraphSdlFile[] {
  const found: SubgraphSdlFile[] = [];
  const subgraphsDir = join(rootDir, 'subgraphs');
  if (existsSync(subgraphsDir)) {
    for (const entry of readdirSync(subgraphsDir, { withFileTypes: true })) {
      const path = `subgraphs/${entry.name}/schema.graphql`;
      if (entry.isDirectory() && existsSync(join(rootDir, path))) {
        found.push({ name: entry.name, path, sdl: readFileSync(join(rootDir, path), 'utf8') });
      }
    }
  }
  if (existsSync(join(rootDir, 'notifier/schema.graphql'))) {
    found.push({
      name: 'notifier',
      path: 'notifier/schema.graphql',
      sdl: readFileSync(join(rootDir, 'notifier/schema.graphql'), 'utf8'),
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Everything the schema check found; `problems` empty means the committed artefacts are sound. */
export interface SchemaCheckReport {
  subgraphs: string[];
  problems: string[];
  breaking?: BreakingChangeReport;
}

/**
 * Composes the subgraphs' SDL in memory and compares it with the committed artefacts: the
 * supergraph and API schema must match byte for byte, and every breaking change of the API schema
 * since the baseline must be acknowledged in `schema/breaking-changes.json`.
 *
 * With no subgraph SDL at all, committed artefacts are a problem (they describe nothing real);
 * no artefacts either is a consistent, if empty, state.
 */
export function checkSchemaArtefacts(rootDir: string): SchemaCheckReport {
  const sources = readSubgraphSdlFiles(rootDir);
  const subgraphs = sources.map((source) => source.name);
  const committed = (path: string): string | undefined =>
    existsSync(join(rootDir, path)) ? readFileSync(join(rootDir, path), 'utf8') : undefined;
  if (sources.length === 0) {
    const stray = [SCHEMA_ARTEFACTS.supergraph, SCHEMA_ARTEFACTS.api].filter(
      (path) => committed(path) !== undefined,
    );
    return {
      subgraphs,
      problems: stray.map((path) => `${path} is committed but no subgraph has generated its schema.graphql`),
    };
  }
  const composed = composeSupergraph(sources);
  const problems: string[] = [];
  const compare = (path: string, expected: string): void => {
    const actual = committed(path);
    if (actual === undefined) problems.push(`${path} is missing: run \`npm run compose\``);
    else if (actual !== expected)
      problems.push(
        `${path} differs from the composition of the subgraphs' SDL: run \`npm run compose\` and commit the result`,
      );
  };
  compare(SCHEMA_ARTEFACTS.supergraph, composed.supergraphSdl);
  compare(SCHEMA_ARTEFACTS.api, composed.apiSdl);
  const breaking = reviewAgainstBaseline(rootDir, composed);
  if (breaking) problems.push(...describeBreakingProblems(breaking));
  return { subgraphs, problems, ...(breaking ? { breaking } : {}) };
}

/** What {@link writeSchemaArtefacts} did. */
export interface ComposeOutcome {
  subgraphs: SubgraphSdlFile[];
  written: string[];
  /** Unacknowledged or stale breaking-change entries: the files are written, but the check fails. */
  problems: string[];
  breaking?: BreakingChangeReport;
}

/**
 * Composes the subgraphs' SDL and writes `schema/supergraph.graphql` and `schema/api.graphql`.
 * The first composition also writes the baseline and an empty acknowledgement file.
 *
 * @throws {NoSubgraphsError} when no subgraph has generated its `schema.graphql`.
 * @throws {CompositionFailedError} when the subgraphs do not compose.
 */
export function writeSchemaArtefacts(rootDir: string): ComposeOutcome {
  const subgraphs = readSubgraphSdlFiles(rootDir);
  if (subgraphs.length === 0) {
    throw new NoSubgraphsError(
      'none of subgraphs/*/schema.graphql or notifier/schema.graphql exists. Each subgraph writes its SDL with `npm run generate:sdl`; compose again once one has.',
    );
  }
  const composed = composeSupergraph(subgraphs);
  const written: string[] = [];
  const write = (path: string, text: string): void => {
    writeFileSync(join(rootDir, path), text);
    written.push(path);
  };
  write(SCHEMA_ARTEFACTS.supergraph, composed.supergraphSdl);
  write(SCHEMA_ARTEFACTS.api, composed.apiSdl);
  if (!existsSync(join(rootDir, SCHEMA_ARTEFACTS.baseline)))
    write(SCHEMA_ARTEFACTS.baseline, composed.apiSdl);
  if (!existsSync(join(rootDir, SCHEMA_ARTEFACTS.acknowledgements))) {
    write(SCHEMA_ARTEFACTS.acknowledgements, EMPTY_ACKNOWLEDGEMENTS);
  }
  const breaking = reviewAgainstBaseline(rootDir, composed);
  return {
    subgraphs,
    written,
    problems: breaking ? describeBreakingProblems(breaking) : [],
    ...(breaking ? { breaking } : {}),
  };
}

/**
 * Makes the current API schema the new baseline (a release) and empties the acknowledgements,
 * which only ever describe changes since the baseline.
 */
export function acceptApiBaseline(rootDir: string): void {
  const api = readFileSync(join(rootDir, SCHEMA_ARTEFACTS.api), 'utf8');
  writeFileSync(join(rootDir, SCHEMA_ARTEFACTS.baseline), api);
  writeFileSync(
    join(rootDir, SCHEMA_ARTEFACTS.acknowledgements),
    `${JSON.stringify({ acknowledged: [] }, null, 2)}\n`,
  );
}

function reviewAgainstBaseline(rootDir: string, composed: ComposedSchemas): BreakingChangeReport | undefined {
  const baselinePath = join(rootDir, SCHEMA_ARTEFACTS.baseline);
  if (!existsSync(baselinePath)) return undefined;
  const ackPath = join(rootDir, SCHEMA_ARTEFACTS.acknowledgements);
  const acknowledgements = existsSync(ackPath)
    ? parseAcknowledgements(readFileSync(ackPath, 'utf8'))
    : { acknowledged: [] };
  return reviewBreakingChanges(readFileSync(baselinePath, 'utf8'), composed.apiSdl, acknowledgements);
}

function describeBreakingProblems(report: BreakingChangeReport): string[] {
  return [
    ...report.unacknowledged.map(
      (change) =>
        `breaking change not acknowledged: ${change.type} "${change.description}" — if clients can live with it, add ` +
        `{ "type": "${change.type}", "description": ${JSON.stringify(change.description)}, "reason": "..." } to ${SCHEMA_ARTEFACTS.acknowledgements}`,
    ),
    ...report.stale.map(
      (ack) =>
        `stale acknowledgement in ${SCHEMA_ARTEFACTS.acknowledgements}: ${ack.type} "${ack.description}" matches no current change; remove it`,
    ),
  ];
}

/**
 * The committed `schema/supergraph.graphql`, which the gateway boots from (read on call, from the
 * repository this package belongs to).
 * @throws {Error} when it has not been composed yet.
 */
export function readCommittedSupergraph(): string {
  const url = new URL(`../../../${SCHEMA_ARTEFACTS.supergraph}`, import.meta.url);
  if (!existsSync(url))
    throw new Error(`${SCHEMA_ARTEFACTS.supergraph} does not exist: run \`npm run compose\``);
  return readFileSync(url, 'utf8');
}
