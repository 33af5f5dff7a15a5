import { readFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import { buildAnagrafeSchema } from './schema.js';

describe('anagrafe subgraph schema', () => {
  it('extends Citizen by fiscal code and links federation 2.7', async () => {
    const sdl = printSubgraphSchema(await buildAnagrafeSchema());
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    expect(sdl).toMatch(/type Citizen\s+@key\(fields: "fiscalCode"\)/);
  });

  it('matches the committed schema.graphql (run `npm run build && npm run generate:sdl`)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSubgraphSchema(await buildAnagrafeSchema())}\n`);
  });
});
