import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, subscribe } from 'graphql';
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

  it('declares the live subscriptions but refuses to serve them: the gateway does', async () => {
    const schema = await buildCivilProtectionSchema();
    for (const query of [
      'subscription { alertChanged { id } }',
      'subscription { ordinancePublished { id } }',
    ]) {
      const result = await subscribe({ schema, document: parse(query) });
      expect('errors' in result && result.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'SERVED_BY_GATEWAY',
      });
    }
  });
});
