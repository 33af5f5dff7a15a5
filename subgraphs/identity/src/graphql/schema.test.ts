import { printSubgraphSchema } from '@apollo/subgraph';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildIdentitySchema } from './schema.js';

describe('identity subgraph schema', () => {
  it('keys Citizen by fiscal code and links federation 2.7', async () => {
    const sdl = printSubgraphSchema(await buildIdentitySchema());
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    expect(sdl).toMatch(/type Citizen\s+@key\(fields: "fiscalCode"\)/);
  });

  it('matches the committed schema.graphql (run generate:sdl after changing the schema)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSubgraphSchema(await buildIdentitySchema())}\n`);
  });
});
