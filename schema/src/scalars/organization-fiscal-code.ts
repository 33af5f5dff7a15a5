import {
  brandedSchema,
  isValidBranded,
  parseBranded,
  type Branded,
  type ScalarRules,
} from './branded-scalar.js';

/** Luhn check digit over the first 10 digits, as for a partita IVA. */
function luhnCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const digit = first10.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      sum += digit;
    } else {
      const doubled = digit * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return (10 - (sum % 10)) % 10;
}

const rules: ScalarRules = {
  normalise: (raw) => raw.trim(),
  problem(value) {
    if (!/^\d*$/.test(value)) return 'must contain digits only';
    if (value.length !== 11) return `must be 11 digits, got ${value.length}`;
    const expected = luhnCheckDigit(value);
    const got = value.charCodeAt(10) - 48;
    if (got !== expected) return `check digit should be ${expected}, got ${got}`;
    return undefined;
  },
};

/** Fiscal code of an organisation (e.g. the ente creditore of a notice): 11 digits. */
export type OrganizationFiscalCode = Branded<'OrganizationFiscalCode'>;

/** Zod schema of an organisation's fiscal code: 11 digits, the last a Luhn check (as a partita IVA). */
export const organizationFiscalCodeSchema = brandedSchema('OrganizationFiscalCode', rules);

/** @throws {ScalarValidationError} naming the bad part, e.g. `check digit should be 9, got 8`. */
export function parseOrganizationFiscalCode(value: unknown): OrganizationFiscalCode {
  return parseBranded('OrganizationFiscalCode', rules, value);
}

/** Whether the value (after trimming) is a valid organisation fiscal code. */
export function isValidOrganizationFiscalCode(value: unknown): boolean {
  return isValidBranded(rules, value);
}
