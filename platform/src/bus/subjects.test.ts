import { describe, expect, it } from 'vitest';
import { assertSubjectPattern, subjectMatches } from './subjects.js';

describe('subject patterns', () => {
  it.each([
    ['sportello.>', 'sportello.001272.practice.submitted', true],
    ['sportello.>', 'sportello', false],
    ['sportello.*.practice.>', 'sportello.001272.practice.submitted', true],
    ['sportello.*.practice.>', 'sportello.001272.practice', false],
    ['sportello.*', 'sportello.001272.practice', false],
    ['sportello.001272.*.submitted', 'sportello.001272.practice.submitted', true],
    ['sportello.001272.*.submitted', 'sportello.015146.practice.submitted', false],
    ['sportello.001272.practice.submitted', 'sportello.001272.practice.submitted', true],
  ])('%s against %s -> %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('names the bad token of a pattern', () => {
    expect(() => assertSubjectPattern('sportello..x')).toThrow(/bad token "" at position 2/);
    expect(() => assertSubjectPattern('sportello.a b')).toThrow(/bad token "a b"/);
    expect(() => assertSubjectPattern('sportello.>.x')).toThrow(/last token/);
  });
});
