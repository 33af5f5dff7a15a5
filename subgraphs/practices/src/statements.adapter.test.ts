/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read loosely; the assertions check their shape */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { Connection } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHIARA, MARIO, startHarness, type GraphQLAnswer, type Harness } from './test-support/harness.js';

/**
 * The rule behind these tests: the statements a query runs do not grow with the length of the lists
 * it returns. Every statement MikroORM runs goes through `Connection.logQuery`; a request carrying
 * the counting header runs (with everything it awaits) in an async context that names it, so only
 * that request's statements are counted, whatever else the process does meanwhile.
 */
const COUNT_HEADER = 'x-count-statements';
const requests = new AsyncLocalStorage<string>();
const counted = new Map<string, string[]>();

function onRequestStart(message: unknown): void {
  const { request } = message as { request: IncomingMessage };
  const id = request.headers[COUNT_HEADER];
  if (typeof id === 'string' && counted.has(id)) requests.enterWith(id);
}

// `logQuery` is protected in MikroORM's types: reached through a structural view of the prototype.
const prototype = Connection.prototype as unknown as { logQuery(query: string, context?: unknown): void };
const originalLogQuery = prototype.logQuery;

/**
 * The statements with their literals and parameter lists folded, so 1 and 10 rows read alike, in
 * a fixed order (batches of one request may reach the database in any order). The outbox relay's
 * poll and its transaction are left out: the relay runs after requests on its own, whatever they
 * asked, and may start within a request's async context.
 */
function shapes(statements: string[]): string[] {
  const shaped = statements
    .filter((sql) => !/outbox_message|^\s*(begin|commit|rollback)\b/i.test(sql))
    .map((sql) =>
      sql
        .replace(/'(?:[^']|'')*'/g, '?')
        .replace(/\$\d+/g, '?')
        .replace(/\b\d+\b/g, '?')
        .replace(/\?(?:\s*,\s*\?)+/g, '?')
        .replace(/\s+/g, ' '),
    );
  return shaped.sort();
}

const PRACTICE_FIELDS = /* GraphQL */ `
  id status
  type { title office }
  timeline { at to actor { kind you } }
  messages { body actor { you } }
  attachments { kind size }
  integrationRequests { message }
`;

describe.each(['sqlite', 'postgresql'] as const)('statements behind list queries (%s)', (driver) => {
  let h: Harness;
  let mario: string;
  let chiara: string;
  let staff: string;
  const marioPractices: string[] = [];
  const chiaraPractices: string[] = [];

  /** Runs a query and returns its answer and the SQL statements it ran. */
  async function countedQuery(query: string, variables: Record<string, unknown>, bearer: string) {
    const id = randomBytes(8).toString('hex');
    counted.set(id, []);
    const response = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer, [COUNT_HEADER]: id },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as GraphQLAnswer<any>;
    const statements = counted.get(id)!;
    counted.delete(id);
    expect(answer.errors).toBeUndefined();
    expect(statements.length).toBeGreaterThan(0);
    return { data: answer.data, statements };
  }

  async function step(query: string, variables: Record<string, unknown>, bearer: string) {
    const answer = await h.graphql<any>(query, variables, bearer);
    expect(answer.errors).toBeUndefined();
    return Object.values(answer.data ?? {})[0] as Record<string, any>;
  }

  /**
   * A practice as it is after a few days (submitted, taken in charge by the office, a message, an
   * attachment, a request for more), of one of two types.
   */
  async function openPractice(bearer: string, n: number): Promise<string> {
    const { id } = await step(
      `mutation($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }`,
      {
        input: {
          typeCode: n % 2 === 0 ? 'bulky-waste-collection' : 'access-to-records',
          data:
            n % 2 === 0
              ? {
                  pickupAddress: { street: 'Via Roma', number: String(n + 1), postcode: '10100' },
                  items: [{ kind: 'mattress' }],
                  phone: '+39 011 555 1234',
                }
              : {
                  documents: `Verbale n. ${n + 1}`,
                  reason: 'Confinante del lotto interessato',
                  mode: 'simple-copy',
                  email: 'cittadino@example.org',
                },
        },
      },
      bearer,
    );
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(512, 0x20), Buffer.from('\n%%EOF\n')]);
    const kind = n % 2 === 0 ? 'other' : 'identity-document';
    const uploaded = await fetch(
      `${h.url}/attachments?practiceId=${id}&kind=${kind}&filename=documento.pdf`,
      { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/pdf' }, body: pdf },
    );
    expect(uploaded.status).toBe(201);
    await step(`mutation($id: ID!) { submitPractice(id: $id) { id } }`, { id }, bearer);
    await step(
      `mutation($id: ID!) { postPracticeMessage(practiceId: $id, body: "Quando passate?") { id } }`,
      { id },
      bearer,
    );
    await step(`mutation($id: ID!) { takePracticeInCharge(id: $id) { id } }`, { id }, staff);
    await step(
      `mutation($id: ID!) { requestPracticeIntegration(id: $id, message: "Un recapito telefonico, grazie.") { id } }`,
      { id },
      staff,
    );
    return id as string;
  }

  beforeAll(async () => {
    prototype.logQuery = function countingLogQuery(query, context) {
      const id = requests.getStore();
      if (id !== undefined) counted.get(id)?.push(query);
      originalLogQuery.call(this, query, context);
    };
    subscribe('http.server.request.start', onRequestStart);
    h = await startHarness(driver);
    mario = await h.citizen(MARIO);
    chiara = await h.citizen(CHIARA);
    staff = await h.staff(['practices'], 'urp.bianchi');
    chiaraPractices.push(await openPractice(chiara, 0));
    for (let n = 0; n < 10; n++) marioPractices.push(await openPractice(mario, n));
    for (const [bearer, reports] of [
      [chiara, 1],
      [mario, 10],
    ] as const) {
      for (let n = 0; n < reports; n++) {
        const { id } = await step(
          `mutation($input: FileReportInput!) { fileReport(input: $input) { id } }`,
          {
            input: {
              category: 'road-damage',
              description: `Buca davanti al civico ${n + 1}.`,
              latitude: 45.07,
              longitude: 7.68,
            },
          },
          bearer,
        );
        const photo = await fetch(`${h.url}/attachments?reportId=${id}&filename=buca.png`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'image/png' },
          body: Buffer.concat([
            Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
            Buffer.alloc(512, 7),
          ]),
        });
        expect(photo.status).toBe(201);
      }
    }
  }, 120_000);

  afterAll(async () => {
    unsubscribe('http.server.request.start', onRequestStart);
    prototype.logQuery = originalLogQuery;
    await h?.close();
  });

  /** Each practice as its owner reads it: every part filled, their own entries marked as theirs. */
  function expectFull(practices: any[], count: number) {
    expect(practices).toHaveLength(count);
    for (const practice of practices) {
      expect(practice.type.title).toEqual(expect.any(String));
      expect(practice.timeline.map((change: any) => change.to)).toEqual([
        'DRAFT',
        'SUBMITTED',
        'REGISTERED',
        'TAKEN_IN_CHARGE',
        'INTEGRATION_REQUESTED',
      ]);
      expect(practice.timeline[0].actor).toEqual({ kind: 'CITIZEN', you: true });
      expect(practice.timeline.at(-1).actor).toEqual({ kind: 'STAFF', you: false });
      expect(practice.messages).toEqual([{ body: 'Quando passate?', actor: { you: true } }]);
      expect(practice.attachments).toHaveLength(1);
      expect(practice.integrationRequests).toEqual([{ message: 'Un recapito telefonico, grazie.' }]);
    }
  }

  it("runs as many statements for a citizen's 10 practices as for 1 (Citizen.practices)", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { practices { nodes { ${PRACTICE_FIELDS} } } } } }`;
    const one = await countedQuery(query, { r: [{ __typename: 'Citizen', fiscalCode: CHIARA }] }, chiara);
    const ten = await countedQuery(query, { r: [{ __typename: 'Citizen', fiscalCode: MARIO }] }, mario);
    expectFull(one.data._entities[0].practices.nodes, 1);
    expectFull(ten.data._entities[0].practices.nodes, 10);
    expect(shapes(ten.statements)).toEqual(shapes(one.statements));
  });

  it('runs as many statements for 10 of myPractices as for 1', async () => {
    const query = `{ myPractices { nodes { ${PRACTICE_FIELDS} } } }`;
    const one = await countedQuery(query, {}, chiara);
    const ten = await countedQuery(query, {}, mario);
    expectFull(one.data.myPractices.nodes, 1);
    expectFull(ten.data.myPractices.nodes, 10);
    expect(shapes(ten.statements)).toEqual(shapes(one.statements));
  });

  it('runs as many statements for a page of 10 of the staff queue as for 1', async () => {
    const query = `query($first: Int) { practiceQueue(office: "practices", first: $first) { nodes { ${PRACTICE_FIELDS} } } }`;
    const one = await countedQuery(query, { first: 1 }, staff);
    const ten = await countedQuery(query, { first: 10 }, staff);
    expect(one.data.practiceQueue.nodes).toHaveLength(1);
    expect(ten.data.practiceQueue.nodes).toHaveLength(10);
    for (const node of ten.data.practiceQueue.nodes) {
      expect(node.timeline.at(-1).actor).toEqual({ kind: 'STAFF', you: true });
      expect(node.integrationRequests).toHaveLength(1);
    }
    expect(shapes(ten.statements)).toEqual(shapes(one.statements));
  });

  it('runs as many statements for 10 practice references as for 1, and still hides the others', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Practice { ${PRACTICE_FIELDS} } } }`;
    const refs = (ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'Practice', id })) });
    const one = await countedQuery(query, refs(chiaraPractices), chiara);
    const ten = await countedQuery(query, refs(marioPractices), mario);
    expectFull(one.data._entities, 1);
    expectFull(ten.data._entities, 10);
    expect(shapes(ten.statements)).toEqual(shapes(one.statements));
    // Authorisation stays per practice: Chiara asking for hers and Mario's sees only hers.
    const mixed = await countedQuery(query, refs([...chiaraPractices, ...marioPractices]), chiara);
    expect(mixed.data._entities.map((entity: any) => entity?.id ?? null)).toEqual([
      ...chiaraPractices,
      ...marioPractices.map(() => null),
    ]);
  });

  it('runs as many statements for 10 practices asked for by id in one query as for 1 (a live dashboard)', async () => {
    // The gateway resolves the updates of many events at once, one aliased practice(id) each.
    const byIds = (ids: string[]) =>
      `query(${ids.map((_, i) => `$p${i}: ID!`).join(', ')}) { ${ids
        .map((_, i) => `p${i}: practice(id: $p${i}) { id status }`)
        .join(' ')} }`;
    const variables = (ids: string[]) => Object.fromEntries(ids.map((id, i) => [`p${i}`, id]));
    const one = await countedQuery(
      byIds(marioPractices.slice(0, 1)),
      variables(marioPractices.slice(0, 1)),
      staff,
    );
    const ten = await countedQuery(byIds(marioPractices), variables(marioPractices), staff);
    expect(Object.values(ten.data).map((practice: any) => practice.id)).toEqual(marioPractices);
    expect(shapes(ten.statements)).toEqual(shapes(one.statements));
  });

  it('runs as many statements for 10 reports with history and photos as for 1', async () => {
    const query = `{ myReports { nodes { id history { to } photos { mimeType } } } }`;
    const one = await countedQuery(query, {}, chiara);
    const ten = await countedQuery(query, {}, mario);
    for (const [answer, count] of [
      [one, 1],
      [ten, 10],
    ] as const) {
      expect(answer.data.myReports.nodes).toHaveLength(count);
      for (const report of answer.data.myReports.nodes) {
        expect(report.history).toEqual([{ to: 'RECEIVED' }]);
        expect(report.photos).toEqual([{ mimeType: 'image/png' }]);
      }
    }
    expect(shapes(ten.statements)).toEqual(shapes(one.statements));
  });
});
