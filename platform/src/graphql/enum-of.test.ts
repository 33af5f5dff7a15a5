import 'reflect-metadata';
import { printType } from 'graphql';
import { buildSchema, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { registerGraphQLEnum } from './enum-of.js';

const ALERT_PHASES = ['attention', 'pre-alarm', 'alarm'] as const;

const PhaseEnum = registerGraphQLEnum(ALERT_PHASES, {
  name: 'TestPhase',
  description: 'How far an alert has gone.',
  values: { ATTENTION: 'Watched.', PRE_ALARM: 'Operations centre open.', ALARM: 'Plan in action.' },
});

const MomentEnum = registerGraphQLEnum(['submit', 'request'], {
  name: 'TestMoment',
  description: 'When a fee is asked for.',
  renames: { submit: 'SUBMISSION' },
  values: { SUBMISSION: 'On submission.', REQUEST: 'When the citizen asks.' },
});

@ObjectType()
class Holder {
  @Field(() => PhaseEnum)
  phase!: (typeof ALERT_PHASES)[number];

  @Field(() => MomentEnum)
  moment!: 'submit' | 'request';
}

@Resolver()
class HolderResolver {
  @Query(() => Holder)
  holder(): Holder {
    return { phase: 'pre-alarm', moment: 'submit' };
  }
}

describe('registerGraphQLEnum', () => {
  test('names each domain value in upper case with underscores, in the list order', () => {
    expect(PhaseEnum).toEqual({ ATTENTION: 'attention', PRE_ALARM: 'pre-alarm', ALARM: 'alarm' });
    expect(Object.keys(PhaseEnum)).toEqual(['ATTENTION', 'PRE_ALARM', 'ALARM']);
    expectTypeOf(PhaseEnum.PRE_ALARM).toEqualTypeOf<'pre-alarm'>();
    expect(MomentEnum).toEqual({ SUBMISSION: 'submit', REQUEST: 'request' });
    expectTypeOf(MomentEnum.SUBMISSION).toEqualTypeOf<'submit'>();
  });

  test('the schema shows the enum with its description and one for each value', async () => {
    const schema = await buildSchema({ resolvers: [HolderResolver], validate: false });
    expect(printType(schema.getType('TestPhase')!)).toBe(
      [
        '"""How far an alert has gone."""',
        'enum TestPhase {',
        '  """Watched."""',
        '  ATTENTION',
        '',
        '  """Operations centre open."""',
        '  PRE_ALARM',
        '',
        '  """Plan in action."""',
        '  ALARM',
        '}',
      ].join('\n'),
    );
    expect(printType(schema.getType('TestMoment')!)).toContain('"""On submission."""\n  SUBMISSION');
  });

  test('write scopes and values already in upper case keep their meaning', () => {
    const scopes = registerGraphQLEnum(['profile', 'profile:write', 'IMU', 'secretary-fee'], {
      name: 'TestScope',
      description: 'Scopes.',
      values: { PROFILE: 'Reads.', PROFILE_WRITE: 'Writes.', IMU: 'Property tax.', SECRETARY_FEE: 'Fees.' },
    });
    expect(scopes).toEqual({
      PROFILE: 'profile',
      PROFILE_WRITE: 'profile:write',
      IMU: 'IMU',
      SECRETARY_FEE: 'secretary-fee',
    });
  });

  test('a value without a description does not compile, and is refused when the types are got round', () => {
    expect(() =>
      registerGraphQLEnum(ALERT_PHASES, {
        name: 'TestMissing',
        description: 'Missing one.',
        // @ts-expect-error ALARM has no description
        values: { ATTENTION: 'Watched.', PRE_ALARM: 'Operations centre open.' },
      }),
    ).toThrow('TestMissing: no description for ALARM');
    expect(() =>
      registerGraphQLEnum(['a', 'b'], {
        name: 'TestEmpty',
        description: 'Empty one.',
        values: { A: 'A.', B: '' },
      }),
    ).toThrow('TestEmpty: no description for B');
  });

  test('a description for a value the list does not have does not compile, and is refused', () => {
    expect(() =>
      registerGraphQLEnum(['a'], {
        name: 'TestExtra',
        description: 'One too many.',
        // @ts-expect-error B is not in the list
        values: { A: 'A.', B: 'B.' },
      }),
    ).toThrow('TestExtra: B is no value of the enum');
  });

  test('a rename of a value the list does not have does not compile, and is refused', () => {
    expect(() =>
      registerGraphQLEnum(['submit'], {
        name: 'TestStrayRename',
        description: 'Renames a value it does not have.',
        // @ts-expect-error `request` is not in the list
        renames: { submit: 'SUBMISSION', request: 'CITIZEN_REQUEST' },
        values: { SUBMISSION: 'On submission.' },
      }),
    ).toThrow('TestStrayRename: renames request, not in the list');
  });

  test('refuses values that make no GraphQL name or the same name twice', () => {
    expect(() =>
      registerGraphQLEnum(['a b'], { name: 'TestSpace', description: '-', values: { 'A B': '-' } }),
    ).toThrow('enum value "a b" makes no GraphQL name');
    expect(() =>
      registerGraphQLEnum(['pre-alarm', 'pre_alarm'], {
        name: 'TestTwice',
        description: '-',
        values: { PRE_ALARM: '-' },
      }),
    ).toThrow('the GraphQL name PRE_ALARM twice');
  });
});
