import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompositionFailedError, NoSubgraphsError } from './compose-supergraph.js';
import { acceptApiBaseline, checkSchemaArtefacts, writeSchemaArtefacts } from './schema-artefacts.js';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';
const IDENTITY = `${LINK}
type Query { citizen(id: ID!): Citizen, clients: [String!]! }
type Citizen @key(fields: "id") { id: ID! displayName: String }`;
const TRIBUTI = `${LINK}
type Citizen @key(fields: "id") { id: ID! positions: [String!]! }`;

let root: string;

function put(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sportello-compose-'));
  mkdirSync(join(root, 'schema'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('composition artefacts', () => {
  it('says clearly that there is nothing to compose when no subgraph has written its SDL', () => {
    mkdirSync(join(root, 'subgraphs/identity'), { recursive: true });
    expect(() => writeSchemaArtefacts(root)).toThrow(NoSubgraphsError);
    expect(() => writeSchemaArtefacts(root)).toThrow(
      /subgraphs\/\*\/schema\.graphql or notifier\/schema\.graphql/,
    );
    expect(checkSchemaArtefacts(root).problems).toEqual([]);
  });

  it('writes the supergraph and an API schema without federation internals, then finds no drift', () => {
    put('subgraphs/identity/schema.graphql', IDENTITY);
    put('subgraphs/tributi/schema.graphql', TRIBUTI);
    const outcome = writeSchemaArtefacts(root);
    expect(outcome.subgraphs.map((s) => s.name)).toEqual(['identity', 'tributi']);
    expect(outcome.problems).toEqual([]);
    expect(read('schema/supergraph.graphql')).toContain('@join__graph(name: "tributi"');
    const api = read('schema/api.graphql');
    expect(api).toContain('positions: [String!]!');
    expect(api).not.toMatch(/join__|link__|_entities|_service/);
    expect(checkSchemaArtefacts(root)).toMatchObject({ subgraphs: ['identity', 'tributi'], problems: [] });
  });

  it('reports drift when a subgraph SDL changes and the artefacts were not recomposed', () => {
    put('subgraphs/identity/schema.graphql', IDENTITY);
    writeSchemaArtefacts(root);
    put(
      'subgraphs/identity/schema.graphql',
      IDENTITY.replace('displayName: String', 'displayName: String, email: String'),
    );
    const problems = checkSchemaArtefacts(root).problems;
    expect(problems).toContain(
      "schema/supergraph.graphql differs from the composition of the subgraphs' SDL: run `npm run compose` and commit the result",
    );
    expect(problems.some((p) => p.startsWith('schema/api.graphql differs'))).toBe(true);
  });

  it('includes the notifier SDL when present', () => {
    put('notifier/schema.graphql', `${LINK}\ntype Query { deliveries: Int }`);
    writeSchemaArtefacts(root);
    expect(read('schema/api.graphql')).toContain('deliveries: Int');
  });

  it('refuses a breaking API change until it is acknowledged with a reason, then accepts a new baseline', () => {
    put('subgraphs/identity/schema.graphql', IDENTITY);
    writeSchemaArtefacts(root);
    put('subgraphs/identity/schema.graphql', IDENTITY.replace(', clients: [String!]!', ''));
    const outcome = writeSchemaArtefacts(root);
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems[0]).toContain(
      'breaking change not acknowledged: FIELD_REMOVED "Query.clients was removed."',
    );
    expect(checkSchemaArtefacts(root).problems).toEqual(outcome.problems);

    put(
      'schema/breaking-changes.json',
      JSON.stringify({
        acknowledged: [
          {
            type: 'FIELD_REMOVED',
            description: 'Query.clients was removed.',
            reason: 'never used by any registered app',
          },
        ],
      }),
    );
    expect(checkSchemaArtefacts(root).problems).toEqual([]);
    expect(checkSchemaArtefacts(root).breaking?.acknowledged.map((c) => c.description)).toEqual([
      'Query.clients was removed.',
    ]);

    acceptApiBaseline(root);
    expect(read('schema/api.baseline.graphql')).toBe(read('schema/api.graphql'));
    expect(JSON.parse(read('schema/breaking-changes.json'))).toMatchObject({ acknowledged: [] });
    expect(checkSchemaArtefacts(root).problems).toEqual([]);
  });

  it('flags stale acknowledgements and malformed acknowledgement files', () => {
    put('subgraphs/identity/schema.graphql', IDENTITY);
    writeSchemaArtefacts(root);
    put(
      'schema/breaking-changes.json',
      JSON.stringify({
        acknowledged: [
          { type: 'FIELD_REMOVED', description: 'Query.x was removed.', reason: 'long enough reason' },
        ],
      }),
    );
    expect(checkSchemaArtefacts(root).problems[0]).toMatch(/^stale acknowledgement .*Query\.x was removed/);
    put(
      'schema/breaking-changes.json',
      JSON.stringify({ acknowledged: [{ type: 'FIELD_REMOVED', description: 'Query.x was removed.' }] }),
    );
    expect(() => checkSchemaArtefacts(root)).toThrow(/acknowledged\.0\.reason/);
  });

  it('names the composition errors when subgraphs conflict', () => {
    put('subgraphs/identity/schema.graphql', IDENTITY);
    put(
      'subgraphs/tributi/schema.graphql',
      `${LINK}\ntype Citizen @key(fields: "id") { id: ID! displayName: Int }`,
    );
    expect(() => writeSchemaArtefacts(root)).toThrow(CompositionFailedError);
    expect(() => writeSchemaArtefacts(root)).toThrow(/displayName/);
  });
});

describe('this repository', () => {
  it('has committed schema artefacts that match the subgraphs and acknowledge every breaking change', () => {
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    expect(checkSchemaArtefacts(repoRoot).problems).toEqual([]);
  });
});
