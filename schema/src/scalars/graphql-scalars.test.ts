import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLString, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  GraphQLFiscalCode,
  GraphQLIstatCode,
  GraphQLNoticeNumber,
  GraphQLOrganizationFiscalCode,
} from './graphql-scalars.js';

/** A schema whose fields echo their argument, and one field that returns a bad value. */
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      fiscalCode: {
        type: GraphQLFiscalCode,
        args: { value: { type: GraphQLFiscalCode } },
        resolve: (_, args: { value: string }) => args.value,
      },
      creditor: {
        type: GraphQLOrganizationFiscalCode,
        args: { value: { type: GraphQLOrganizationFiscalCode } },
        resolve: (_, args: { value: string }) => args.value,
      },
      notice: {
        type: GraphQLNoticeNumber,
        args: { value: { type: GraphQLNoticeNumber } },
        resolve: (_, args: { value: string }) => args.value,
      },
      comune: {
        type: GraphQLIstatCode,
        args: { value: { type: GraphQLIstatCode } },
        resolve: (_, args: { value: string }) => args.value,
      },
      broken: { type: GraphQLFiscalCode, resolve: () => 'RCCMNL83S18D969X' },
      plain: { type: GraphQLString, resolve: () => 'ok' },
    },
  }),
});

describe('GraphQL scalars', () => {
  it('accepts and normalises valid literals and variables', async () => {
    const literal = await graphql({
      schema,
      source: '{ fiscalCode(value: " rccmnl83s18d969h") notice(value: "3020 3200 2700 0002 51") }',
    });
    expect(literal).toEqual({ data: { fiscalCode: 'RCCMNL83S18D969H', notice: '302032002700000251' } });

    const variables = await graphql({
      schema,
      source: 'query($c: OrganizationFiscalCode, $i: IstatCode) { creditor(value: $c) comune(value: $i) }',
      variableValues: { c: '83000390019', i: '001272' },
    });
    expect(variables).toEqual({ data: { creditor: '83000390019', comune: '001272' } });
  });

  it('rejects a bad literal with BAD_USER_INPUT and the reason', async () => {
    const result = await graphql({ schema, source: '{ fiscalCode(value: "RCCMNL83S18D969X") }' });
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    expect(error!.message).toBe('fiscal code: check letter should be H, got X');
    expect(error!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      scalar: 'FiscalCode',
      reason: 'check letter should be H, got X',
    });
  });

  it('rejects a non-string literal', async () => {
    const result = await graphql({ schema, source: '{ notice(value: 302032002700000251) }' });
    expect(result.errors?.[0]?.message).toBe('notice number: must be a string literal, got intvalue');
    expect(result.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a bad variable with BAD_USER_INPUT and the reason', async () => {
    const result = await graphql({
      schema,
      source: 'query($n: NoticeNumber) { notice(value: $n) }',
      variableValues: { n: '302032002700000250' },
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toContain('notice number: check digits 51 expected, got 50');
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', scalar: 'NoticeNumber' });
  });

  it('treats a bad value from a resolver as a server error, not user input', async () => {
    const result = await graphql({ schema, source: '{ broken plain }' });
    expect(result.data).toEqual({ broken: null, plain: 'ok' });
    expect(result.errors?.[0]?.message).toBe(
      'FiscalCode cannot represent an invalid fiscal code: check letter should be H, got X',
    );
    expect(result.errors?.[0]?.extensions.code).toBeUndefined();
  });

  it('names the specification of each scalar in its description', () => {
    const sdl = printSchema(schema);
    for (const scalar of [
      GraphQLFiscalCode,
      GraphQLOrganizationFiscalCode,
      GraphQLNoticeNumber,
      GraphQLIstatCode,
    ]) {
      expect(scalar.description).toMatch(/\n\nSpecified by: \S.+$/);
      expect(sdl).toContain(`scalar ${scalar.name}`);
    }
  });
});
