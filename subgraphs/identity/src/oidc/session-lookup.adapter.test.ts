import type { AdapterPayload } from 'oidc-provider';
import { createDatabase, type Database, type DatabaseDriver } from '@sportello/platform';
import {
  createTestDatabase,
  DATABASE_DRIVERS,
  LOCAL_POSTGRES_URL,
  type TestDatabase,
} from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_ENTITIES } from '../entities/index.js';
import { OidcPayloadEntity } from '../entities/oidc-payload.entity.js';
import { migrations as postgresqlMigrations } from '../migrations/postgresql/index.js';
import { migrations as sqliteMigrations } from '../migrations/sqlite/index.js';
import { createPayloadAdapter, endProviderGrants } from './payload-adapter.js';

const MARIO = 'RSSMRA80A01H501U';
const LUIGI = 'VRDLGU75B02F205X';
const APP = 'app-demo';
/** Other people signed in meanwhile: what a lookup over every session would read. */
const OTHERS = 2_000;
const ACCOUNT_ID_COLUMN = 'Migration20261207205432_oidc_payload_account_id';
const ALL_MIGRATIONS = { sqlite: sqliteMigrations, postgresql: postgresqlMigrations };

/** A browser session as the provider saves it: the person, and the grant of each app signed in to. */
function sessionOf(id: string, accountId: string, grants: Record<string, string>): AdapterPayload {
  return {
    jti: id,
    uid: `uid-${id}`,
    kind: 'Session',
    accountId,
    loginTs: 1_765_000_000,
    exp: 1_765_086_400,
    authorizations: Object.fromEntries(
      Object.entries(grants).map(([clientId, grantId]) => [clientId, { sid: `sid-${id}`, grantId }]),
    ),
  };
}

/** The grant each stored session names for the app, by session id. */
async function sessionGrants(database: Database): Promise<Record<string, string | undefined>> {
  const rows = await database
    .forkUnscoped()
    .find(OidcPayloadEntity, { kind: 'Session', id: { $like: 's-%' } });
  return Object.fromEntries(
    rows.map((row) => [
      row.id,
      (row.payload.authorizations as Record<string, { grantId?: string }>)[APP]?.grantId,
    ]),
  );
}

/** The statements (with their parameters) the database runs while `work` runs. */
async function statementsOf(database: Database, work: () => Promise<void>) {
  const statements: { sql: string; params: readonly unknown[] }[] = [];
  const config = database.orm.config;
  const previous = config.get('onQuery');
  config.set('onQuery', (sql: string, params: readonly unknown[]) => {
    statements.push({ sql, params: [...params] });
    return previous(sql, params);
  });
  try {
    await work();
  } finally {
    config.set('onQuery', previous);
  }
  return statements;
}

/** The plan nodes of a PostgreSQL `explain (format json)` answer, flattened. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

describe.each(DATABASE_DRIVERS)("a person's provider sessions, found by account on %s", (driver) => {
  let test: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    test = await createTestDatabase({
      service: 'identity',
      driver,
      entities: IDENTITY_ENTITIES,
      migrations: ALL_MIGRATIONS,
    });
    database = test.database;
  });
  afterAll(() => test?.dispose());

  it('keeps the person of each row the provider saves, and none for what names nobody', async () => {
    const Adapter = createPayloadAdapter(() => database.forkUnscoped());
    await new Adapter('AccessToken').upsert(
      'at-1',
      { jti: 'at-1', kind: 'AccessToken', accountId: MARIO, grantId: 'g-1' },
      60,
    );
    await new Adapter('Interaction').upsert(
      'i-1',
      { jti: 'i-1', kind: 'Interaction', session: { accountId: MARIO } },
      60,
    );
    await new Adapter('ClientCredentials').upsert(
      'cc-1',
      { jti: 'cc-1', kind: 'ClientCredentials', clientId: APP },
      60,
    );
    await new Adapter('Session').upsert('anonymous', { jti: 'anonymous', kind: 'Session' }, 60);
    // Saved again once signed in, and again signed out.
    await new Adapter('Session').upsert(
      'anonymous',
      { jti: 'anonymous', kind: 'Session', accountId: LUIGI },
      60,
    );
    const rows = await database
      .forkUnscoped()
      .find(
        OidcPayloadEntity,
        { id: { $in: ['at-1', 'i-1', 'cc-1', 'anonymous'] } },
        { orderBy: { id: 'asc' } },
      );
    expect(rows.map((row) => [row.id, row.accountId])).toEqual([
      ['anonymous', LUIGI],
      ['at-1', MARIO],
      ['cc-1', null],
      ['i-1', null],
    ]);
    await new Adapter('Session').upsert('anonymous', { jti: 'anonymous', kind: 'Session' }, 60);
    expect(
      await database.forkUnscoped().findOne(OidcPayloadEntity, { kind: 'Session', id: 'anonymous' }),
    ).toMatchObject({
      accountId: null,
    });
    await database
      .forkUnscoped()
      .nativeDelete(OidcPayloadEntity, { id: { $in: ['at-1', 'i-1', 'cc-1', 'anonymous'] } });
  });

  it("withdrawing an app's grant reads the person's own sessions, not everyone's", async () => {
    const Adapter = createPayloadAdapter(() => database.forkUnscoped());
    const sessions = new Adapter('Session');
    await sessions.upsert('s-mario-1', sessionOf('s-mario-1', MARIO, { [APP]: 'g-mario-1' }), 3_600);
    await sessions.upsert('s-mario-2', sessionOf('s-mario-2', MARIO, { [APP]: 'g-mario-2' }), 3_600);
    await sessions.upsert('s-luigi', sessionOf('s-luigi', LUIGI, { [APP]: 'g-mario-1' }), 3_600);
    await new Adapter('Grant').upsert('g-mario-1', {
      jti: 'g-mario-1',
      kind: 'Grant',
      accountId: MARIO,
      clientId: APP,
    });
    await new Adapter('Grant').upsert('g-mario-2', {
      jti: 'g-mario-2',
      kind: 'Grant',
      accountId: MARIO,
      clientId: APP,
    });
    const em = database.forkUnscoped();
    for (let from = 0; from < OTHERS; from += 250) {
      await em.insertMany(
        OidcPayloadEntity,
        Array.from({ length: 250 }, (_, i) => {
          const id = `other-${from + i}`;
          const accountId = `CTZ${String(from + i).padStart(13, '0')}`;
          return { kind: 'Session', id, accountId, payload: sessionOf(id, accountId, { [APP]: `g-${id}` }) };
        }),
      );
    }
    // PostgreSQL's statistics, as its autovacuum keeps them in service (SQLite runs without any).
    if (driver === 'postgresql') await em.getConnection().execute('analyze "oidc_payload"');

    const ran = await statementsOf(database, () =>
      endProviderGrants(database.forkUnscoped(), { accountId: MARIO, clientId: APP }, [
        'g-mario-1',
        'g-mario-2',
      ]),
    );

    // What the withdrawal does is unchanged: Mario's sessions no longer name the grants, Luigi's does.
    expect(await sessionGrants(database)).toEqual({
      's-mario-1': undefined,
      's-mario-2': undefined,
      's-luigi': 'g-mario-1',
    });
    expect(await database.forkUnscoped().count(OidcPayloadEntity, { kind: 'Grant' })).toBe(0);

    // The statement that finds Mario's sessions: the one reading rows by his account.
    const lookup = ran.find(({ sql, params }) => /^\s*select\b/i.test(sql) && params.includes(MARIO));
    expect(lookup, ran.map(({ sql }) => sql).join('\n')).toBeDefined();
    const connection = database.forkUnscoped().getConnection();
    if (driver === 'sqlite') {
      const plan = await connection.execute<{ detail: string }[]>(`explain query plan ${lookup!.sql}`, [
        ...lookup!.params,
      ]);
      expect(plan.map((step) => step.detail)).toEqual([
        expect.stringMatching(/^SEARCH \w+ USING INDEX oidc_payload_account_id_index \(account_id=\?\)/),
      ]);
      return;
    }
    const [answer] = await connection.execute<Record<string, unknown>[]>(
      `explain (analyze, format json) ${lookup!.sql}`,
      [...lookup!.params],
    );
    const raw = answer!['QUERY PLAN'];
    const [{ Plan }] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
    const onTable = flatten(Plan).filter(
      (node) => node['Relation Name'] === 'oidc_payload' || node['Index Name'],
    );
    expect(onTable.map((node) => node['Index Name'] ?? node['Node Type'])).toContain(
      'oidc_payload_account_id_index',
    );
    expect(onTable.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    // Rows read: those returned and those the filter dropped; at most Mario's own rows (2 sessions, 2 grants).
    const read = onTable
      .filter((node) => node['Relation Name'] === 'oidc_payload')
      .reduce(
        (sum, node) =>
          sum +
          ((node['Actual Rows'] ?? 0) +
            (node['Rows Removed by Filter'] ?? 0) +
            (node['Rows Removed by Index Recheck'] ?? 0)) *
            (node['Actual Loops'] ?? 1),
        0,
      );
    expect(read).toBeLessThanOrEqual(4);
  });
});

describe.each(DATABASE_DRIVERS)(
  'the account of provider rows stored before it had a column, on %s',
  (driver) => {
    /** A database migrated up to (not including) the account column, and the same one migrated to the end. */
    async function databaseBefore(chosen: DatabaseDriver) {
      const until = (list: typeof sqliteMigrations) =>
        list.slice(
          0,
          list.findIndex((migration) => migration.name === ACCOUNT_ID_COLUMN),
        );
      const old = await createTestDatabase({
        service: 'identity',
        driver: chosen,
        entities: IDENTITY_ENTITIES,
        migrations: { sqlite: until(sqliteMigrations), postgresql: until(postgresqlMigrations) },
      });
      return {
        old,
        async upgrade(): Promise<Database> {
          const current = await createDatabase({
            service: 'identity',
            driver: chosen,
            entities: IDENTITY_ENTITIES,
            migrations: ALL_MIGRATIONS,
            sqlitePath: old.sqlitePath,
            postgresUrl: LOCAL_POSTGRES_URL,
            postgresDatabase: old.postgresDatabase,
          });
          await current.migrate();
          return current;
        },
      };
    }

    it('finds a session saved before the migration by its person, and withdrawing ends the grant it names', async () => {
      const steps = await databaseBefore(driver);
      let current: Database | undefined;
      try {
        const insert = (kind: string, id: string, payload: Record<string, unknown>) =>
          steps.old.database
            .forkUnscoped()
            .getConnection()
            .execute('insert into oidc_payload (kind, id, payload, grant_id) values (?, ?, ?, ?)', [
              kind,
              id,
              JSON.stringify(payload),
              null,
            ]);
        await insert('Session', 's-mario', sessionOf('s-mario', MARIO, { [APP]: 'g-old' }));
        await insert('Session', 's-luigi', sessionOf('s-luigi', LUIGI, { [APP]: 'g-old' }));
        await insert('Grant', 'g-old', { jti: 'g-old', kind: 'Grant', accountId: MARIO, clientId: APP });
        await insert('Interaction', 'i-1', {
          jti: 'i-1',
          kind: 'Interaction',
          session: { accountId: MARIO },
        });
        await insert('Session', 'blank-session', { jti: 'blank-session', kind: 'Session', accountId: '' });

        current = await steps.upgrade();
        const em = current.forkUnscoped();
        const accounts = await em.find(OidcPayloadEntity, {}, { orderBy: { kind: 'asc', id: 'asc' } });
        expect(accounts.map((row) => [row.kind, row.id, row.accountId])).toEqual([
          ['Grant', 'g-old', MARIO],
          ['Interaction', 'i-1', null],
          ['Session', 'blank-session', null],
          ['Session', 's-luigi', LUIGI],
          ['Session', 's-mario', MARIO],
        ]);
        // Nothing stored is lost: the provider reads the session as it was saved.
        const Adapter = createPayloadAdapter(() => current!.forkUnscoped());
        expect(await new Adapter('Session').find('s-mario')).toEqual(
          sessionOf('s-mario', MARIO, { [APP]: 'g-old' }),
        );

        await endProviderGrants(current.forkUnscoped(), { accountId: MARIO, clientId: APP }, ['g-old']);
        expect(await sessionGrants(current)).toEqual({ 's-mario': undefined, 's-luigi': 'g-old' });
      } finally {
        await current?.close();
        await steps.old.dispose();
      }
    });
  },
);
