import { readFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import { buildTributiSchema } from './schema.js';

describe('tributi subgraph schema', () => {
  it('extends Citizen by fiscal code and keys payment positions by id', async () => {
    const sdl = printSubgraphSchema(await buildTributiSchema());
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    expect(sdl).toMatch(/type Citizen\s+@key\(fields: "fiscalCode"\)/);
    expect(sdl).toMatch(/type PaymentPosition\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(
      /paymentPositions\(after: String, first: Int! = 20, status: PaymentStatus\): PaymentPositionConnection!/,
    );
  });

  it('matches the committed schema.graphql (run generate:sdl after changing the API)', async () => {
    const sdl = printSubgraphSchema(await buildTributiSchema());
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${sdl}\n`);
  });
});
