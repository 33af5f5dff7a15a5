import { DATABASE_DRIVERS, type Scope, type TokenPrincipal } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANAGRAFE_MUTATION_SCOPES } from './graphql/mutation-scopes.js';
import {
  COMUNE,
  PEOPLE,
  startAnagrafe,
  type GraphQLAnswer,
  type TestAnagrafe,
} from './test-support/harness.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** Every declaration or request a citizen makes here, as an app would send it for them. */
const WRITES: Record<string, { query: string; variables: Record<string, unknown> }> = {
  requestCertificate: {
    query: `mutation($input: CertificateRequestInput!) { requestCertificate(input: $input) { certificate { id } } }`,
    variables: { input: { kinds: ['RESIDENCE'], use: 'uso privato', exemption: 'PENSION' } },
  },
  declareResidenceChange: {
    query: `mutation($input: ResidenceDeclarationInput!) { declareResidenceChange(input: $input) { id status } }`,
    variables: { input: { address: { street: 'Strada della Collina', number: '7' } } },
  },
  withdrawResidenceChange: {
    query: `mutation($id: ID!) { withdrawResidenceChange(id: $id) { id status } }`,
    variables: { id: NO_SUCH_ID },
  },
  replyToResidenceChangeObstacles: {
    query: `mutation($id: ID!) { replyToResidenceChangeObstacles(id: $id, text: "Il citofono ora porta il mio nome.") { id status } }`,
    variables: { id: NO_SUCH_ID },
  },
};

describe.each(DATABASE_DRIVERS)('write scopes of apps, in anagrafe on %s', (driver) => {
  let t: TestAnagrafe;

  const app = (fiscalCode: string, scopes: Scope[]): TokenPrincipal => ({
    kind: 'client',
    comune: COMUNE,
    clientId: 'sportello-tascabile',
    scopes,
    onBehalfOf: { fiscalCode, actsFor: [] },
    tokenId: `app-${fiscalCode}-${scopes.length}`,
  });

  beforeAll(async () => {
    t = await startAnagrafe({}, driver);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every change an app can make for a citizen', () => {
    const written = Object.entries(ANAGRAFE_MUTATION_SCOPES)
      .filter(([, scope]) => scope !== null)
      .map(([name]) => name);
    expect(Object.keys(WRITES).sort()).toEqual(written.sort());
  });

  it.each(Object.entries(WRITES))(
    '%s: refuses an app with the anagrafe read scope only, naming anagrafe:write, and changes nothing',
    async (_mutation, { query, variables }) => {
      const before = t.events.length;
      const answer = await t.graphql(query, {
        as: app(PEOPLE.anna.fiscalCode, ['openid', 'anagrafe']),
        variables,
      });
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'SCOPE_REQUIRED',
        scope: 'anagrafe:write',
      });
      expect(answer.errors?.[0]?.message).toContain('"anagrafe:write" scope');
      await t.settle();
      expect(t.events.length).toBe(before);
    },
  );

  it('refuses a reply document from an app with the anagrafe read scope only', async () => {
    const response = await fetch(
      `${t.url}/residence-change-documents?residenceChangeId=${NO_SUCH_ID}&filename=citofono.pdf`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await t.token(app(PEOPLE.anna.fiscalCode, ['anagrafe']))}`,
          'content-type': 'application/pdf',
        },
        body: '%PDF-1.7\n%%EOF\n',
      },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'FORBIDDEN', reason: 'SCOPE_REQUIRED', scope: 'anagrafe:write' },
    });
  });

  /** Requests a certificate, declares and withdraws a move, declares another and answers its obstacles. */
  async function journey(as: TokenPrincipal): Promise<string[]> {
    const done: string[] = [];
    const ok = async (mutation: string, variables: Record<string, unknown>, by = as) => {
      const answer: GraphQLAnswer = await t.graphql(WRITES[mutation]?.query ?? mutation, {
        as: by,
        variables,
      });
      expect(answer.errors, mutation).toBeUndefined();
      if (by === as) done.push(mutation);
      return Object.values(answer.data ?? {})[0] as { id: string; status: string };
    };
    await ok('requestCertificate', WRITES.requestCertificate!.variables);
    const first = await ok('declareResidenceChange', WRITES.declareResidenceChange!.variables);
    expect((await ok('withdrawResidenceChange', { id: first.id })).status).toBe('WITHDRAWN');
    const second = await ok('declareResidenceChange', WRITES.declareResidenceChange!.variables);
    const staff = t.staff('anagrafe');
    await ok(`mutation($id: ID!) { registerResidenceChange(id: $id) { id } }`, { id: second.id }, staff);
    await ok(
      `mutation($id: ID!) { notifyResidenceChangeObstacles(id: $id, note: "Nessun nome sul citofono") { id } }`,
      { id: second.id },
      staff,
    );
    expect((await ok('replyToResidenceChangeObstacles', { id: second.id })).status).toBe(
      'OBSTACLES_NOTIFIED',
    );
    return done;
  }

  it('lets an app with anagrafe:write make every declaration and request', async () => {
    const done = await journey(app(PEOPLE.paolo.fiscalCode, ['openid', 'anagrafe', 'anagrafe:write']));
    expect(new Set(done)).toEqual(new Set(Object.keys(WRITES)));
  });

  it('lets the citizen signed in themselves make them, without any scope', async () => {
    const done = await journey(t.citizen(PEOPLE.giulia.fiscalCode));
    expect(new Set(done)).toEqual(new Set(Object.keys(WRITES)));
  });
});
