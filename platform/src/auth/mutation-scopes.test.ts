import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { requireMutationScopes, UnclassifiedMutationError } from './access.js';
import { type Principal, type Scope } from './principal.js';

const ROMA = '058091';
const CITIZEN = 'RSSMRA80A01H501U';

/** A subgraph with a citizen's change, the office's change, and a log of what ran. */
function subgraph(): { schema: GraphQLSchema; ran: string[] } {
  const ran: string[] = [];
  const schema = buildSchema(`
    type Query { ok: Boolean }
    type Mutation { submitPractice(id: ID!): String  acceptPractice(id: ID!): String }
  `);
  const fields = schema.getMutationType()!.getFields();
  fields.submitPractice!.resolve = (_source, args: { id: string }) => {
    ran.push(`submit ${args.id}`);
    return 'submitted';
  };
  fields.acceptPractice!.resolve = (_source, args: { id: string }) => {
    ran.push(`accept ${args.id}`);
    return 'accepted';
  };
  return {
    schema: requireMutationScopes(schema, { submitPractice: 'practices:write', acceptPractice: null }),
    ran,
  };
}

const app = (scopes: Scope[], onBehalfOf = true): Principal => ({
  kind: 'client',
  comune: ROMA,
  clientId: 'app',
  scopes,
  ...(onBehalfOf ? { onBehalfOf: { fiscalCode: CITIZEN, actsFor: [] } } : {}),
  tokenId: 't',
});

const CALLERS: Array<[string, Principal, 'runs' | 'SCOPE_REQUIRED']> = [
  [
    'the citizen, signed in themselves',
    { kind: 'citizen', comune: ROMA, fiscalCode: CITIZEN, actsFor: [], tokenId: 't' },
    'runs',
  ],
  ['staff', { kind: 'staff', comune: ROMA, username: 'u', offices: ['practices'], tokenId: 't' }, 'runs'],
  ['a service', { kind: 'service', comune: ROMA, service: 'notifier', tokenId: 't' }, 'runs'],
  ['an app with practices:write', app(['practices', 'practices:write']), 'runs'],
  ['an app with the read scope only', app(['openid', 'practices']), 'SCOPE_REQUIRED'],
  [
    'an app with every other write scope',
    app(['practices', 'anagrafe:write', 'notifications:write']),
    'SCOPE_REQUIRED',
  ],
  ['an app without a citizen', app(['practices']), 'SCOPE_REQUIRED'],
];

describe('write scopes of app tokens on mutations', () => {
  it.each(CALLERS)('%s: a listed mutation %s', async (_name, principal, outcome) => {
    const { schema, ran } = subgraph();
    const answer = await graphql({
      schema,
      source: 'mutation { submitPractice(id: "p1") }',
      contextValue: { principal },
    });
    if (outcome === 'runs') {
      expect(answer).toEqual({ data: { submitPractice: 'submitted' } });
      expect(ran).toEqual(['submit p1']);
    } else {
      expect(answer.data).toEqual({ submitPractice: null });
      expect(answer.errors?.[0]?.extensions).toEqual({
        code: 'FORBIDDEN',
        reason: 'SCOPE_REQUIRED',
        scope: 'practices:write',
      });
      expect(answer.errors?.[0]?.message).toContain('"practices:write" scope');
      // Refused before the resolver: nothing was changed.
      expect(ran).toEqual([]);
    }
  });

  it('leaves a mutation listed with null to its resolver', async () => {
    const { schema, ran } = subgraph();
    const answer = await graphql({
      schema,
      source: 'mutation { acceptPractice(id: "p1") }',
      contextValue: { principal: app(['practices']) },
    });
    expect(answer).toEqual({ data: { acceptPractice: 'accepted' } });
    expect(ran).toEqual(['accept p1']);
  });

  it('refuses to build a subgraph whose mutation is not classified', () => {
    const schema = buildSchema('type Query { ok: Boolean } type Mutation { a: Int b: Int c: Int }');
    expect(() => requireMutationScopes(schema, { a: null })).toThrow(UnclassifiedMutationError);
    expect(() => requireMutationScopes(schema, { a: null })).toThrow(/Mutation b, c not listed/);
  });
});
