import { printSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import { buildIdentitySchema } from './schema.js';

describe('identity subgraph schema', () => {
  it('keys Citizen by fiscal code and links federation 2.7', async () => {
    const sdl = printSubgraphSchema(await buildIdentitySchema());
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    expect(sdl).toMatch(/type Citizen\s+@key\(fields: "fiscalCode"\)/);
  });
});
