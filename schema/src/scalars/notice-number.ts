import {
  brandedSchema,
  isValidBranded,
  parseBranded,
  type Branded,
  type ScalarRules,
} from './branded-scalar.js';
import { parseOrganizationFiscalCode, type OrganizationFiscalCode } from './organization-fiscal-code.js';
import { ScalarValidationError } from './validation-error.js';

/**
 * Check digits of a notice number: its first 16 digits as an integer, mod 93, zero-padded.
 * BigInt because 16 digits exceed `Number.MAX_SAFE_INTEGER`.
 *
 * @throws {ScalarValidationError} when the input is not 16 digits.
 */
export function noticeCheckDigits(first16: string): string {
  if (!/^\d{16}$/.test(first16)) {
    throw new ScalarValidationError('NoticeNumber', 'check digits are computed over exactly 16 digits');
  }
  return String(BigInt(first16) % 93n).padStart(2, '0');
}

const rules: ScalarRules = {
  // Notices print the number in groups of 4; people copy it with the spaces.
  normalise: (raw) => raw.replace(/\s+/g, ''),
  problem(value) {
    if (!/^\d*$/.test(value)) return 'must contain digits only';
    if (value.length !== 18) return `must be 18 digits, got ${value.length}`;
    const aux = value[0]!;
    if (aux > '3') return `aux digit ${aux} is not one of 0, 1, 2, 3`;
    // Aux 1 (legacy): 17 digits of IUV, no check digits.
    if (aux === '1') return undefined;
    const expected = noticeCheckDigits(value.slice(0, 16));
    const got = value.slice(16);
    if (got !== expected) return `check digits ${expected} expected, got ${got}`;
    return undefined;
  },
};

/** pagoPA payment notice number (numero avviso): 18 digits. */
export type NoticeNumber = Branded<'NoticeNumber'>;

/**
 * Zod schema of a pagoPA notice number. Removes whitespace (the printed grouping), then checks
 * 18 digits, the aux digit (0-3) and, except for aux 1, the mod-93 check digits.
 */
export const noticeNumberSchema = brandedSchema('NoticeNumber', rules);

/** @throws {ScalarValidationError} naming the bad part, e.g. `check digits 51 expected, got 50`. */
export function parseNoticeNumber(value: unknown): NoticeNumber {
  return parseBranded('NoticeNumber', rules, value);
}

/** Whether the value (whitespace removed) is a valid notice number. */
export function isValidNoticeNumber(value: unknown): boolean {
  return isValidBranded(rules, value);
}

/**
 * A new-style (aux digit 3) notice number: `3` + segregation code + IUV base + check digits.
 *
 * @param input.segregationCode the creditor's segregation code, two digits `01`-`99`.
 * @param input.iuvBase the creditor's progressive, 13 digits (a bigint is zero-padded).
 * @throws {ScalarValidationError} when either part is malformed.
 */
export function makeNoticeNumber(input: { segregationCode: string; iuvBase: string | bigint }): NoticeNumber {
  const { segregationCode } = input;
  if (!/^\d{2}$/.test(segregationCode) || segregationCode === '00') {
    throw new ScalarValidationError('NoticeNumber', 'segregation code must be two digits from 01 to 99');
  }
  let base: string;
  if (typeof input.iuvBase === 'bigint') {
    if (input.iuvBase < 0n || input.iuvBase >= 10n ** 13n) {
      throw new ScalarValidationError('NoticeNumber', 'IUV base must be from 0 to 9999999999999');
    }
    base = String(input.iuvBase).padStart(13, '0');
  } else {
    base = input.iuvBase;
    if (!/^\d{13}$/.test(base)) throw new ScalarValidationError('NoticeNumber', 'IUV base must be 13 digits');
  }
  const first16 = `3${segregationCode}${base}`;
  return (first16 + noticeCheckDigits(first16)) as NoticeNumber;
}

/**
 * The IUV (identificativo univoco di versamento) inside a notice number: the number without the aux
 * digit, and for aux 0 also without the 2-digit application code.
 *
 * @throws {ScalarValidationError} when the notice number is not valid.
 */
export function iuvOf(notice: string): string {
  const value = parseNoticeNumber(notice);
  return value.startsWith('0') ? value.slice(3) : value.slice(1);
}

/**
 * The notice number as printed on a pagoPA notice: groups of 4 digits (`3020 3200 2700 0002 51`).
 *
 * @throws {ScalarValidationError} when the notice number is not valid.
 */
export function formatNoticeNumber(notice: string): string {
  return parseNoticeNumber(notice).replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Largest amount a notice can carry, in cents (as accepted by App IO payment data). */
const MAX_AMOUNT_CENTS = 9_999_999_999;

/**
 * The text of the QR code printed on a pagoPA notice:
 * `PAGOPA|002|<18-digit notice>|<11-digit creditor fiscal code>|<amount in cents>`.
 *
 * @throws {ScalarValidationError} when the notice number or creditor fiscal code is not valid.
 * @throws {RangeError} when the amount is not a whole number of cents from 1 to 9999999999.
 */
export function pagoPaQrPayload(input: {
  noticeNumber: string;
  creditorFiscalCode: string;
  amountCents: number;
}): string {
  const notice = parseNoticeNumber(input.noticeNumber);
  const creditor: OrganizationFiscalCode = parseOrganizationFiscalCode(input.creditorFiscalCode);
  const { amountCents } = input;
  if (!Number.isInteger(amountCents) || amountCents < 1 || amountCents > MAX_AMOUNT_CENTS) {
    throw new RangeError(
      `amountCents must be a whole number from 1 to ${MAX_AMOUNT_CENTS}, got ${amountCents}`,
    );
  }
  return `PAGOPA|002|${notice}|${creditor}|${amountCents}`;
}
