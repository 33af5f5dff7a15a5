import { describe, expect, it } from 'vitest';
import { PRACTICE_TYPE_CATALOGUE } from './catalogue.js';
import { validateForm } from './form.js';

describe('practice type catalogue', () => {
  it('ships a catalogue whose schemas compile and whose codes are unique', () => {
    const codes = PRACTICE_TYPE_CATALOGUE.map((t) => t.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBeGreaterThanOrEqual(30);
    for (const type of PRACTICE_TYPE_CATALOGUE) expect(validateForm(type.formSchema, {}, false)).toEqual([]);
  });
});
