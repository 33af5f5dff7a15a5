import { buildSchema, parse } from 'graphql';
import { describe, expect, test } from 'vitest';
import { measureDocument } from './operation-limits.js';

const schema = buildSchema(`
  type Query {
    practices(first: Int, after: String): PracticeConnection!
    tags(first: Int): [Tag!]!
  }
  type PracticeConnection {
    edges: [PracticeEdge!]!
    nodes: [Practice!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }
  type PracticeEdge { cursor: String! node: Practice! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Practice { id: ID! tags(first: Int): [Tag!]! }
  type Tag { name: String! }
`);

const cost = (source: string) => measureDocument(parse(source), schema, 20).cost;

describe('the estimated cost of a connection', () => {
  test('counts its nodes or edges once per item of the page asked for, 20 when first is omitted', () => {
    // practices + nodes + 5 × id
    expect(cost('{ practices(first: 5) { nodes { id } } }')).toBe(7);
    // practices + edges + 5 × (cursor + node + id)
    expect(cost('{ practices(first: 5) { edges { cursor node { id } } } }')).toBe(17);
    expect(cost('{ practices { nodes { id } } }')).toBe(22);
  });

  test('counts totalCount and pageInfo once, and lists inside the nodes by their own page', () => {
    expect(cost('{ practices(first: 2) { totalCount pageInfo { hasNextPage endCursor } } }')).toBe(5);
    // practices + nodes + 2 × (tags + 3 × name)
    expect(cost('{ practices(first: 2) { nodes { tags(first: 3) { name } } } }')).toBe(10);
    expect(cost('{ tags(first: 3) { name } }')).toBe(4);
  });
});
