import { describe, expect, it } from 'vitest';
import { type EntitiesResponse, EntityFetchBatches } from './entity-fetch-batches.js';

/** A subgraph answering `_entities`: each representation's id back, FORBIDDEN for ids `refused-*`. */
function subgraph() {
  const requests: unknown[][] = [];
  const send = async (representations: unknown[]): Promise<EntitiesResponse> => {
    requests.push(representations);
    const ids = representations.map((each) => (each as { id: string }).id);
    const errors = ids.flatMap((id, index) =>
      id.startsWith('refused-')
        ? [
            {
              message: `refused ${id}`,
              path: ['_entities', index, 'secret'],
              extensions: { code: 'FORBIDDEN' },
            },
          ]
        : [],
    );
    return {
      data: { _entities: ids.map((id) => (id.startsWith('refused-') ? null : { id })) },
      ...(errors.length > 0 ? { errors } : {}),
    };
  };
  return { requests, send };
}

describe('entity fetches of concurrent operations', () => {
  it('go out as one request per tick, each getting its own entities and errors back', async () => {
    const { requests, send } = subgraph();
    const batches = new EntityFetchBatches(64);
    const asked = [['a', 'b'], ['refused-c'], ['d', 'refused-e', 'f']];
    const answers = await Promise.all(
      asked.map((ids) =>
        batches.fetch(
          'same',
          ids.map((id) => ({ __typename: 'Alert', id })),
          send,
        ),
      ),
    );
    expect(requests).toHaveLength(1);
    expect(answers).toEqual([
      { data: { _entities: [{ id: 'a' }, { id: 'b' }] } },
      {
        data: { _entities: [null] },
        errors: [
          {
            message: 'refused refused-c',
            path: ['_entities', 0, 'secret'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      },
      {
        data: { _entities: [{ id: 'd' }, null, { id: 'f' }] },
        errors: [
          {
            message: 'refused refused-e',
            path: ['_entities', 1, 'secret'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      },
    ]);
  });

  it('keeps fetches of different keys apart, bounds a batch, and gives a failed request to each fetch', async () => {
    const { requests, send } = subgraph();
    const batches = new EntityFetchBatches(2);
    const one = (key: string, id: string) => batches.fetch(key, [{ __typename: 'Alert', id }], send);
    await Promise.all([one('x', '1'), one('y', '2'), one('x', '3'), one('x', '4')]);
    expect(requests.map((each) => each.length).sort()).toEqual([1, 1, 2]);

    const failing = async (): Promise<EntitiesResponse> => {
      throw new Error('Subgraph "accounts" is unavailable');
    };
    const outcomes = await Promise.allSettled([
      batches.fetch('z', [{ id: '1' }], failing),
      batches.fetch('z', [{ id: '2' }], failing),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
