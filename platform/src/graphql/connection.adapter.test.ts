import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { graphql, type GraphQLSchema } from 'graphql';
import { Args, buildSchema, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createDatabase,
  type Database,
  type DatabaseDriver,
  type EntityManager,
} from '../database/database.js';
import { JobLease } from '../jobs/job-lease.entity.js';
import { SCHEDULER_MIGRATIONS } from '../jobs/scheduler-migrations.js';
import {
  ConnectionArgs,
  connectionFromArray,
  connectionFromRows,
  connectionType,
  decodeCursor,
  findConnection,
  keysetCondition,
  keysetOrderBy,
  pageSize,
  type Connection,
  withNodes,
  type KeysetOrder,
} from './connection.js';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432';

@ObjectType('Lease')
class LeaseType {
  @Field()
  name!: string;

  @Field()
  until!: Date;
}
const LeaseConnection = connectionType(LeaseType, 'Lease', 'leases');

@ObjectType('Colour')
class ColourType {
  @Field()
  name!: string;
}
const ColourConnection = connectionType(ColourType, 'Colour', 'colours');

const COLOURS = ['green', 'yellow', 'orange', 'red'].map((name) => Object.assign(new ColourType(), { name }));

/** Latest lease end first; the name breaks ties, so the order is total and stable. */
const LEASE_ORDER: KeysetOrder = [
  ['until', 'desc'],
  ['name', 'asc'],
];

let database: Database | undefined;

@Resolver()
class ListsResolver {
  @Query(() => LeaseConnection)
  async leases(@Args(() => ConnectionArgs) { first, after }: ConnectionArgs): Promise<Connection<LeaseType>> {
    const size = pageSize(first);
    const key = decodeCursor(after, LEASE_ORDER.length);
    const em = database!.orm.em.fork();
    const where = key === null ? {} : keysetCondition(LEASE_ORDER, key);
    const [rows, totalCount] = await Promise.all([
      em.find(JobLease, where, { orderBy: keysetOrderBy(LEASE_ORDER), limit: size + 1 }),
      em.count(JobLease, {}),
    ]);
    return connectionFromRows(rows, {
      size,
      after: key,
      totalCount,
      keyOf: (row) => [row.until, row.name],
      toNode: (row) => Object.assign(new LeaseType(), { name: row.name, until: row.until }),
    });
  }

  @Query(() => LeaseConnection, {
    description: 'The same list through findConnection, without the held ones.',
  })
  async freeLeases(
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<LeaseType>> {
    return findConnection(
      database!.orm.em.fork() as EntityManager,
      JobLease,
      { holder: null },
      {
        order: LEASE_ORDER,
        first,
        after,
        toNode: (row) => Object.assign(new LeaseType(), { name: row.name, until: row.until }),
      },
    );
  }

  @Query(() => ColourConnection)
  colours(@Args(() => ConnectionArgs) args: ConnectionArgs): Connection<ColourType> {
    return connectionFromArray(COLOURS, args, (colour) => [colour.name]);
  }
}

let schema: GraphQLSchema;

async function run(query: string, variables: Record<string, unknown> = {}) {
  const result = await graphql({ schema, source: query, variableValues: variables });
  return JSON.parse(JSON.stringify(result)) as {
    data?: Record<string, { edges: { cursor: string; node: { name: string } }[] } & Record<string, never>>;
    errors?: { message: string; extensions: { code: string; field?: string } }[];
  };
}

beforeAll(async () => {
  schema = await buildSchema({ resolvers: [ListsResolver], validate: false });
});

describe('the connection types', () => {
  test('every connection has edges, nodes, a shareable PageInfo and totalCount, 20 items by default', () => {
    const sdl = printSchemaWithDirectives(schema);
    expect(sdl).toMatch(/type PageInfo @shareable \{/);
    expect(sdl).toMatch(
      /type LeaseConnection \{[^}]*edges: \[LeaseEdge!\]![^}]*nodes: \[Lease!\]![^}]*pageInfo: PageInfo![^}]*totalCount: Int!/,
    );
    expect(sdl).toMatch(/type LeaseEdge \{[^}]*cursor: String![^}]*node: Lease!/);
    expect(sdl).toMatch(/leases\([^)]*first: Int = 20[^)]*after: String[^)]*\): LeaseConnection!/);
  });
});

describe('a list in memory', () => {
  const PAGE = `query ($first: Int, $after: String) {
    colours(first: $first, after: $after) {
      edges { cursor node { name } }
      nodes { name }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }`;

  test('pages forward with endCursor until hasNextPage is false, each item once', async () => {
    const first = (await run(PAGE, { first: 3 })).data!.colours!;
    expect(first).toMatchObject({
      nodes: [{ name: 'green' }, { name: 'yellow' }, { name: 'orange' }],
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
      totalCount: 4,
    });
    const pageInfo = (first as unknown as { pageInfo: { startCursor: string; endCursor: string } }).pageInfo;
    expect(pageInfo.startCursor).toBe(first.edges[0]!.cursor);
    expect(pageInfo.endCursor).toBe(first.edges[2]!.cursor);

    const second = (await run(PAGE, { first: 3, after: pageInfo.endCursor })).data!.colours!;
    expect(second).toMatchObject({
      nodes: [{ name: 'red' }],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
      totalCount: 4,
    });
  });

  test('a page size outside 1 to 100 or a cursor of nothing is BAD_USER_INPUT naming the argument', async () => {
    for (const first of [0, 101]) {
      const { errors } = await run(PAGE, { first });
      expect(errors?.[0]).toMatchObject({
        message: 'first must be between 1 and 100',
        extensions: { code: 'BAD_USER_INPUT', field: 'first' },
      });
    }
    for (const after of ['not a cursor', Buffer.from('{"a":1}').toString('base64url')]) {
      const { errors } = await run(PAGE, { after });
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  test('nodes turned into others in one batch keep their cursors and the page', () => {
    const page = connectionFromArray(COLOURS, { first: 2 }, (colour) => [colour.name]);
    const upper = withNodes(
      page,
      page.nodes.map((colour) => colour.name.toUpperCase()),
    );
    expect(upper.edges).toEqual([
      { cursor: page.edges[0]!.cursor, node: 'GREEN' },
      { cursor: page.edges[1]!.cursor, node: 'YELLOW' },
    ]);
    expect(upper).toMatchObject({ nodes: ['GREEN', 'YELLOW'], pageInfo: page.pageInfo, totalCount: 4 });
  });

  test('a null first is the default page size', async () => {
    const { data } = await run(PAGE, { first: null });
    expect(data!.colours!.edges).toHaveLength(4);
    expect(pageSize(null)).toBe(20);
  });
});

describe.each<DatabaseDriver>(['sqlite', 'postgresql'])('a keyset list on %s', (driver) => {
  const postgresDatabase = `sportello_test_pages_${randomBytes(5).toString('hex')}`;
  let dir: string | undefined;

  beforeAll(async () => {
    dir = driver === 'sqlite' ? await mkdtemp(join(tmpdir(), 'sportello-pages-')) : undefined;
    database = await createDatabase({
      service: 'pages',
      driver,
      entities: [JobLease],
      migrations: SCHEDULER_MIGRATIONS,
      sqlitePath: dir === undefined ? undefined : join(dir, 'pages.sqlite'),
      postgresUrl: POSTGRES_URL,
      postgresDatabase,
    });
    await database.migrate();
    const em = database.orm.em.fork();
    // Two leases end at the same instant: the name keeps their order stable across pages.
    const until = (minute: number) => new Date(Date.UTC(2026, 0, 1, 8, minute));
    for (const [name, minute] of [
      ['a', 1],
      ['b', 3],
      ['c', 3],
      ['d', 2],
      ['e', 5],
    ] as const) {
      em.create(JobLease, { name, holder: null, until: until(minute), doneSlot: null });
    }
    await em.flush();
  });

  afterAll(async () => {
    if (database !== undefined && driver === 'postgresql') {
      database.orm.config.set('dbName', 'postgres');
      await database.orm.driver.reconnect();
      await database.orm.em
        .getConnection()
        .execute(`drop database if exists "${postgresDatabase}" with (force)`);
    }
    await database?.close();
    database = undefined;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const PAGE = `query ($after: String) {
    leases(first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } totalCount }
  }`;

  test('reads every row once, in a stable order, and a row added meanwhile does not shift the pages', async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { data, errors } = await run(PAGE, { after });
      expect(errors).toBeUndefined();
      const leases = data!.leases as unknown as {
        nodes: { name: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      };
      names.push(...leases.nodes.map((node) => node.name));
      if (page === 0) {
        // A lease that sorts before the cursor: it must not push an item of page 1 onto page 2.
        const em = database!.orm.em.fork();
        em.create(JobLease, {
          name: 'z',
          holder: null,
          until: new Date(Date.UTC(2026, 0, 1, 9)),
          doneSlot: null,
        });
        await em.flush();
      }
      if (!leases.pageInfo.hasNextPage) break;
      after = leases.pageInfo.endCursor;
    }
    expect(names).toEqual(['e', 'b', 'c', 'd', 'a']);
  });

  test('findConnection pages a filtered table the same way, counting only what matches', async () => {
    const em = database!.orm.em.fork();
    await em.nativeUpdate(JobLease, { name: 'e' }, { holder: 'replica-1' });
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { data, errors } = await run(
        `query ($after: String) {
          freeLeases(first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } totalCount }
        }`,
        { after },
      );
      expect(errors).toBeUndefined();
      const leases = data!.freeLeases as unknown as {
        nodes: { name: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      };
      expect(leases.totalCount).toBe(5);
      names.push(...leases.nodes.map((node) => node.name));
      if (!leases.pageInfo.hasNextPage) break;
      after = leases.pageInfo.endCursor;
    }
    expect(names).toEqual(['z', 'b', 'c', 'd', 'a']);
  });
});
