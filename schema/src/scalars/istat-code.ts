import {
  brandedSchema,
  isValidBranded,
  parseBranded,
  type Branded,
  type ScalarRules,
} from './branded-scalar.js';

const rules: ScalarRules = {
  normalise: (raw) => raw.trim(),
  problem(value) {
    if (!/^\d*$/.test(value)) return 'must contain digits only';
    if (value.length !== 6) return `must be 6 digits, got ${value.length}`;
    // Province (first 3) and progressive (last 3) both start at 001.
    if (value.startsWith('000')) return 'province part 000 does not exist';
    if (value.endsWith('000')) return 'comune progressive 000 does not exist';
    return undefined;
  },
};

/** ISTAT code of a comune: 3 digits of province, 3 of the comune's progressive (e.g. `058091` Roma). */
export type IstatCode = Branded<'IstatCode'>;

/** Zod schema of a comune's ISTAT code. Leading zeros matter: it is a string, never a number. */
export const istatCodeSchema = brandedSchema('IstatCode', rules);

/** @throws {ScalarValidationError} naming the bad part, e.g. `must be 6 digits, got 5`. */
export function parseIstatCode(value: unknown): IstatCode {
  return parseBranded('IstatCode', rules, value);
}

/** Whether the value (after trimming) is a valid ISTAT comune code. */
export function isValidIstatCode(value: unknown): boolean {
  return isValidBranded(rules, value);
}
