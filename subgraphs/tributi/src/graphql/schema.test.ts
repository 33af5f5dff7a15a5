import { readFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { isObjectType } from 'graphql';
import { assert, describe, expect, it } from 'vitest';
import { buildTributiSchema } from './schema.js';

describe('tributi subgraph schema', () => {
  it('extends Citizen by fiscal code and keys payment positions by id', async () => {
    const schema = await buildTributiSchema();
    const sdl = printSubgraphSchema(schema);
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.7');
    expect(sdl).toMatch(/type Citizen\s+@key\(fields: "fiscalCode"\)/);
    expect(sdl).toMatch(/type PaymentPosition\s+@key\(fields: "id"\)/);
    const citizen = schema.getType('Citizen');
    assert(isObjectType(citizen));
    const positions = citizen.getFields()['paymentPositions'];
    // Nullable: a refusal nulls only this field, the rest of the citizen's answer stands.
    expect(String(positions?.type)).toBe('PaymentPositionConnection');
    expect(positions?.args.map((arg) => [arg.name, String(arg.type), arg.defaultValue])).toEqual([
      ['first', 'Int', 20],
      ['after', 'String', undefined],
      ['status', 'PaymentStatus', undefined],
    ]);
  });

  it('matches the committed schema.graphql (run generate:sdl after changing the API)', async () => {
    const sdl = printSubgraphSchema(await buildTributiSchema());
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${sdl}\n`);
  });
});
