import { describe, expect, it } from 'vitest';
import {
  isValidOrganizationFiscalCode,
  organizationFiscalCodeSchema,
  parseOrganizationFiscalCode,
} from './organization-fiscal-code.js';
import { ScalarValidationError } from './validation-error.js';

function reasonFor(value: unknown): string | undefined {
  try {
    parseOrganizationFiscalCode(value);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ScalarValidationError);
    expect((error as ScalarValidationError).scalar).toBe('OrganizationFiscalCode');
    return (error as ScalarValidationError).reason;
  }
}

describe('organization fiscal code', () => {
  it.each(['83000390019', '00311260095', ' 00311260095 '])('accepts %s', (code) => {
    expect(reasonFor(code)).toBeUndefined();
    expect(isValidOrganizationFiscalCode(code)).toBe(true);
    expect(organizationFiscalCodeSchema.parse(code)).toBe(code.trim());
  });

  it('names the expected Luhn check digit', () => {
    expect(reasonFor('83000390018')).toBe('check digit should be 9, got 8');
    expect(reasonFor('00311260090')).toBe('check digit should be 5, got 0');
    expect(() => parseOrganizationFiscalCode('83000390018')).toThrow(
      'organization fiscal code: check digit should be 9, got 8',
    );
  });

  it('catches a swap of two adjacent digits', () => {
    expect(isValidOrganizationFiscalCode('38000390019')).toBe(false);
  });

  it('rejects wrong lengths, non-digits and non-strings', () => {
    expect(reasonFor('8300039001')).toBe('must be 11 digits, got 10');
    expect(reasonFor('830003900191')).toBe('must be 11 digits, got 12');
    expect(reasonFor('8300039001A')).toBe('must contain digits only');
    expect(reasonFor('RSSMRA80A01H501U')).toBe('must contain digits only');
    expect(reasonFor(83000390019)).toBe('must be a string, got number');
    expect(organizationFiscalCodeSchema.safeParse('83000390018').error?.issues[0]?.message).toBe(
      'organization fiscal code: check digit should be 9, got 8',
    );
  });
});
