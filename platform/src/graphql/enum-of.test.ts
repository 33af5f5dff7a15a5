import { describe, expect, expectTypeOf, test } from 'vitest';
import { graphqlEnumOf } from './enum-of.js';

describe('graphqlEnumOf', () => {
  test('names each domain value in upper case with underscores, in the list order', () => {
    const phases = graphqlEnumOf(['attention', 'pre-alarm', 'alarm']);
    expect(phases).toEqual({ ATTENTION: 'attention', PRE_ALARM: 'pre-alarm', ALARM: 'alarm' });
    expect(Object.keys(phases)).toEqual(['ATTENTION', 'PRE_ALARM', 'ALARM']);
    expectTypeOf(phases.PRE_ALARM).toEqualTypeOf<'pre-alarm'>();
  });

  test('write scopes and values already in upper case keep their meaning', () => {
    expect(graphqlEnumOf(['profile', 'profile:write', 'IMU', 'secretary-fee'])).toEqual({
      PROFILE: 'profile',
      PROFILE_WRITE: 'profile:write',
      IMU: 'IMU',
      SECRETARY_FEE: 'secretary-fee',
    });
  });

  test('refuses values that make no GraphQL name or the same name twice', () => {
    expect(() => graphqlEnumOf(['a b'])).toThrow('enum value "a b" makes no GraphQL name');
    expect(() => graphqlEnumOf(['pre-alarm', 'pre_alarm'])).toThrow('the GraphQL name PRE_ALARM twice');
  });
});
