import { readFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildPracticesSchema } from './schema.js';

describe('practices subgraph schema', () => {
  it('keys Practice by id and extends Citizen by fiscal code', async () => {
    const sdl = printSubgraphSchema(await buildPracticesSchema());
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    expect(sdl).toMatch(/type Practice\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Citizen\s+@key\(fields: "fiscalCode"\)/);
  });

  it('matches the committed schema.graphql (run `npm run build && npm run generate:sdl` after a change)', async () => {
    const sdl = printSubgraphSchema(await buildPracticesSchema());
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(`${sdl}\n`).toBe(committed);
  });

  it('declares the live subscriptions but refuses to serve them: the gateway does', async () => {
    const schema = await buildPracticesSchema();
    for (const query of [
      'subscription { myPracticeChanged { id } }',
      'subscription { practiceChanged(office: "practices") { id } }',
    ]) {
      const result = await subscribe({ schema, document: parse(query) });
      expect('errors' in result && result.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'SERVED_BY_GATEWAY',
      });
    }
  });
});
