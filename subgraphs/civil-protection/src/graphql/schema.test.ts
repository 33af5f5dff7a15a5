import { printSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import { buildCivilProtectionSchema } from './schema.js';

describe('civil-protection subgraph schema', () => {
  it('links federation 2.7 and keys its public entities by id', async () => {
    const sdl = printSubgraphSchema(await buildCivilProtectionSchema());
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    for (const type of ['Alert', 'Ordinance', 'EmergencyArea']) {
      expect(sdl).toMatch(new RegExp(`type ${type}\\s+@key\\(fields: "id"\\)`));
    }
  });
});
