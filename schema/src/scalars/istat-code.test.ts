import { describe, expect, it } from 'vitest';
import { istatCodeSchema, isValidIstatCode, parseIstatCode } from './istat-code.js';

describe('ISTAT code', () => {
  it.each(['058091', '001272', '015146', '111107'])('accepts %s', (code) => {
    expect(parseIstatCode(code)).toBe(code);
    expect(isValidIstatCode(code)).toBe(true);
  });

  it('keeps leading zeros and trims', () => {
    expect(istatCodeSchema.parse(' 001272 ')).toBe('001272');
  });

  it('rejects wrong lengths, non-digits, zero parts and numbers', () => {
    expect(() => parseIstatCode('58091')).toThrow('ISTAT code: must be 6 digits, got 5');
    expect(() => parseIstatCode('0580910')).toThrow('ISTAT code: must be 6 digits, got 7');
    expect(() => parseIstatCode('05809A')).toThrow('ISTAT code: must contain digits only');
    expect(() => parseIstatCode('000091')).toThrow('ISTAT code: province part 000 does not exist');
    expect(() => parseIstatCode('058000')).toThrow('ISTAT code: comune progressive 000 does not exist');
    expect(() => parseIstatCode(58091)).toThrow('ISTAT code: must be a string, got number');
    expect(isValidIstatCode(undefined)).toBe(false);
  });
});
