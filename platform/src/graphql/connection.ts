import 'reflect-metadata';
import { ArgsType, Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '../database/database.js';
import { BadUserInputError } from '../errors/client-errors.js';

/**
 * Relay-style connections, the one shape of every list of the public schema that can grow: `first`
 * / `after` arguments, `edges { cursor node }` (and `nodes` for clients that need no cursor per
 * item), a shared {@link PageInfo} and `totalCount`.
 *
 * Cursors are opaque to clients: base64url of the sort key of the item they point at, so a page is
 * read by keyset (items strictly after that key in the list's order) and an item inserted or removed
 * meanwhile neither repeats nor skips another.
 */

/** Items on a page when `first` is omitted, for every list. */
export const DEFAULT_PAGE_SIZE = 20;

/** Most items one page may hold, for every list. */
export const MAX_PAGE_SIZE = 100;

/*
 * The GraphQL types below are declared by calling type-graphql's decorators as functions rather
 * than with decorator syntax: the platform is also run from source by tools that compile decorator
 * syntax as standard (TC39) decorators, which type-graphql does not support, and a module every
 * service imports must load whatever compiles it.
 */

/** Applies type-graphql field decorators to a class's prototype, field by field. */
function declareFields(type: ClassType, fields: Record<string, PropertyDecorator>): void {
  for (const [name, decorate] of Object.entries(fields)) decorate(type.prototype as object, name);
}

/** Where a page starts and ends; the same type in every subgraph (shareable). */
export class PageInfo {
  hasNextPage!: boolean;
  hasPreviousPage!: boolean;
  startCursor!: string | null;
  endCursor!: string | null;
}
declareFields(PageInfo, {
  hasNextPage: Field(() => Boolean, { description: 'True when more items follow this page.' }),
  hasPreviousPage: Field(() => Boolean, {
    description: 'True when items come before this page (the page was asked for `after` a cursor).',
  }),
  startCursor: Field(() => String, {
    nullable: true,
    description: 'Cursor of the first item of this page; null when the page is empty.',
  }),
  endCursor: Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item of this page; null when the page is empty. Pass it as `after`.',
  }),
});
ObjectType('PageInfo', {
  description:
    'Where a page of a connection starts and ends. Pass endCursor as `after` for the next page while hasNextPage is true.',
})(PageInfo);
Directive('@shareable')(PageInfo);

/** `first` and `after`, the page arguments of every connection field. */
export class ConnectionArgs {
  first?: number | null;
  after?: string | null;
}
declareFields(ConnectionArgs, {
  first: Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `How many items to return, 1 to ${MAX_PAGE_SIZE}.`,
  }),
  after: Field(() => String, {
    nullable: true,
    description: 'Cursor: pageInfo.endCursor of the previous page; omit for the first page.',
  }),
});
ArgsType()(ConnectionArgs);

/** One item of a connection with its cursor. */
export interface Edge<T> {
  cursor: string;
  node: T;
}

/** One page of a list, as every connection type holds it. */
export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * The `<Name>Connection` and `<Name>Edge` object types of a node type, e.g.
 * `connectionType(PracticeType, 'Practice', 'practices')` gives `PracticeConnection` and
 * `PracticeEdge`. Call it once per node type, at module level.
 */
export function connectionType<T extends object>(
  nodeType: ClassType<T>,
  name: string,
  /** Plural of what the items are, for the descriptions, e.g. `practices`. */
  items: string,
): ClassType<Connection<T>> {
  class EdgeType implements Edge<T> {
    cursor!: string;
    node!: T;
  }
  declareFields(EdgeType, {
    cursor: Field(() => String, { description: 'Pass as `after` to get the items after this one.' }),
    node: Field(() => nodeType, { description: `The item itself: one of the ${items}.` }),
  });
  ObjectType(`${name}Edge`, { description: `One of the ${items} of a page, with its cursor.` })(EdgeType);

  class ConnectionType implements Connection<T> {
    edges!: Edge<T>[];
    nodes!: T[];
    pageInfo!: PageInfo;
    totalCount!: number;
  }
  declareFields(ConnectionType, {
    edges: Field(() => [EdgeType], { description: `The ${items} of this page, each with its cursor.` }),
    nodes: Field(() => [nodeType], { description: `The ${items} of this page (the nodes of edges).` }),
    pageInfo: Field(() => PageInfo, { description: 'Where this page starts and ends.' }),
    totalCount: Field(() => Int, { description: `How many ${items} the list holds, over every page.` }),
  });
  ObjectType(`${name}Connection`, { description: `One page of ${items}.` })(ConnectionType);
  return ConnectionType;
}

/**
 * `first` checked against the page limit, {@link DEFAULT_PAGE_SIZE} when omitted or null.
 * @throws BadUserInputError naming `first` outside 1 to {@link MAX_PAGE_SIZE}
 */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first' });
  }
  return size;
}

/** A value of a sort key: what a cursor remembers of the item it points at. */
export type CursorValue = string | number | boolean | Date | null;

type Encoded = string | number | boolean | null | { d: string };

/** The opaque cursor of an item whose sort key is `key` (its columns in the list's order). */
export function encodeCursor(key: readonly CursorValue[]): string {
  const encoded: Encoded[] = key.map((value) => (value instanceof Date ? { d: value.toISOString() } : value));
  return Buffer.from(JSON.stringify(encoded), 'utf8').toString('base64url');
}

/**
 * The sort key an `after` cursor points at, or null without a cursor (first page).
 * @throws BadUserInputError naming `after` for anything this list did not hand out
 */
export function decodeCursor(after: string | null | undefined, keyLength?: number): CursorValue[] | null {
  if (after == null || after === '') return null;
  const refused = () => new BadUserInputError('after is not a cursor of this list', { field: 'after' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw refused();
  if (keyLength !== undefined && parsed.length !== keyLength) throw refused();
  return parsed.map((value: unknown): CursorValue => {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      return value as CursorValue;
    }
    if (typeof value === 'object' && typeof (value as { d?: unknown }).d === 'string') {
      const date = new Date((value as { d: string }).d);
      if (!Number.isNaN(date.getTime())) return date;
    }
    throw refused();
  });
}

/** A list's order: its columns, most significant first, the last one unique (usually the id). */
export type KeysetOrder = readonly (readonly [field: string, direction: 'asc' | 'desc'])[];

/**
 * The MikroORM condition "strictly after `key` in `order`", to AND with the list's own filter:
 * `(a > ka) OR (a = ka AND b > kb) ...`, with `<` for descending columns.
 */
export function keysetCondition(order: KeysetOrder, key: readonly CursorValue[]): Record<string, unknown> {
  const branches = order.map(([field, direction], i) => {
    const branch: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) branch[order[j]![0]] = key[j];
    branch[field] = { [direction === 'asc' ? '$gt' : '$lt']: key[i] };
    return branch;
  });
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/** The MikroORM `orderBy` of a {@link KeysetOrder}. */
export function keysetOrderBy(order: KeysetOrder): Record<string, 'asc' | 'desc'> {
  return Object.fromEntries(order.map(([field, direction]) => [field, direction]));
}

/**
 * The page made of `rows`, read with `limit: size + 1` after the cursor (the extra row, dropped,
 * says that more follow), each turned into its node and given the cursor of its sort key.
 */
export function connectionFromRows<R, T>(
  rows: readonly R[],
  options: {
    size: number;
    /** Whether the page was asked for after a cursor. */
    after: unknown;
    totalCount: number;
    keyOf: (row: R) => readonly CursorValue[];
    toNode: (row: R) => T;
  },
): Connection<T> {
  const page = rows.slice(0, options.size);
  const edges = page.map((row) => ({ cursor: encodeCursor(options.keyOf(row)), node: options.toNode(row) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: Object.assign(new PageInfo(), {
      hasNextPage: rows.length > options.size,
      hasPreviousPage: options.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    }),
    totalCount: options.totalCount,
  };
}

/**
 * A page of a list already in memory and already in its order, for lists computed rather than read
 * with a query. The page starts after the item whose sort key is the cursor's.
 * @throws BadUserInputError naming `first`, or `after` when no item has the cursor's key (any more)
 */
export function connectionFromArray<T>(
  items: readonly T[],
  args: { first?: number | null; after?: string | null },
  keyOf: (item: T) => readonly CursorValue[],
): Connection<T> {
  const size = pageSize(args.first);
  const key = decodeCursor(args.after);
  let start = 0;
  if (key !== null) {
    const wanted = encodeCursor(key);
    const index = items.findIndex((item) => encodeCursor(keyOf(item)) === wanted);
    if (index === -1) {
      throw new BadUserInputError('after points at an item no longer in this list: start again', {
        field: 'after',
      });
    }
    start = index + 1;
  }
  return connectionFromRows(items.slice(start, start + size + 1), {
    size,
    after: key,
    totalCount: items.length,
    keyOf,
    toNode: (item) => item,
  });
}

/**
 * The same page with its nodes replaced by `nodes`, one for one and in order (e.g. rows turned into
 * GraphQL types in one batch), cursors and page info kept.
 */
export function withNodes<T, U>(page: Connection<T>, nodes: readonly U[]): Connection<U> {
  if (nodes.length !== page.nodes.length) {
    throw new Error(`withNodes: ${nodes.length} nodes for a page of ${page.nodes.length}`);
  }
  return {
    edges: page.edges.map((edge, i) => ({ cursor: edge.cursor, node: nodes[i]! })),
    nodes: [...nodes],
    pageInfo: page.pageInfo,
    totalCount: page.totalCount,
  };
}

/**
 * One page of `entity` rows matching `where`, read by keyset in `order` after the `after` cursor,
 * with the count of every matching row: the whole of a connection field over one table.
 * @throws BadUserInputError naming `first` or `after`
 */
export async function findConnection<E extends object, T = E>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  options: {
    order: KeysetOrder;
    first?: number | null;
    after?: string | null;
    /** Each row as the node the field returns; the row itself when omitted. */
    toNode?: (row: E) => T;
  },
): Promise<Connection<T>> {
  const size = pageSize(options.first);
  const key = decodeCursor(options.after, options.order.length);
  const paged = (
    key === null ? where : { $and: [where, keysetCondition(options.order, key)] }
  ) as FilterQuery<E>;
  const [rows, totalCount] = await Promise.all([
    // MikroORM's filter types do not carry over a generic entity: the casts only drop them.
    em.find(entity, paged as never, { orderBy: keysetOrderBy(options.order) as never, limit: size + 1 }),
    em.count(entity, where as never),
  ]);
  return connectionFromRows(rows as E[], {
    size,
    after: key,
    totalCount,
    keyOf: (row) => options.order.map(([field]) => (row as Record<string, CursorValue>)[field] ?? null),
    toNode: options.toNode ?? ((row) => row as unknown as T),
  });
}
