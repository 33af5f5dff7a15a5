import { readFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildNotifierSchema } from './schema.js';

describe('notifier subgraph schema', () => {
  it('matches the committed schema.graphql (run `npm run build && npm run generate:sdl` after a change)', async () => {
    const sdl = printSubgraphSchema(await buildNotifierSchema());
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(`${sdl}\n`).toBe(committed);
  });

  it('declares deliveryStatsChanged but refuses to serve it: the gateway does', async () => {
    const schema = await buildNotifierSchema();
    const result = await subscribe({
      schema,
      document: parse('subscription { deliveryStatsChanged { eventId } }'),
    });
    expect('errors' in result && result.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'SERVED_BY_GATEWAY',
    });
  });
});
