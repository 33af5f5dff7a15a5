import {
  brandedSchema,
  isValidBranded,
  parseBranded,
  type Branded,
  type ScalarRules,
} from './branded-scalar.js';
import { ScalarValidationError } from './validation-error.js';

/** Month letters, January to December. */
const MONTH_LETTERS = 'ABCDEHLMPRST';
/** Omocodia replacement letters, indexed by the digit they stand for. */
const OMOCODIA_LETTERS = 'LMNPQRSTUV';
/** 0-based indexes of the digits omocodia may replace (1-based positions 7, 8, 10, 11, 13, 14, 15). */
const OMOCODIA_INDEXES = [6, 7, 9, 10, 12, 13, 14] as const;
/** Values of `A-Z` (and of `0-9` as `A-J`) at odd 1-based positions. */
const ODD_VALUES = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const isLetter = (ch: string) => ch >= 'A' && ch <= 'Z';
const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const isOmocodiaDigit = (ch: string) => isDigit(ch) || OMOCODIA_LETTERS.includes(ch);

/** What each position holds, for messages that say which part is wrong. */
function partOf(index: number): string {
  if (index < 3) return 'surname code';
  if (index < 6) return 'name code';
  if (index < 8) return 'birth year';
  if (index < 11) return 'birth day';
  if (index < 15) return 'birth place code';
  return 'check letter';
}

function codeValue(ch: string, oddPosition: boolean): number {
  const index = isDigit(ch) ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 65;
  if (!oddPosition) return index;
  return ODD_VALUES[index]!;
}

function checkLetterOf(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) sum += codeValue(first15[i]!, i % 2 === 0);
  return String.fromCharCode(65 + (sum % 26));
}

/**
 * The check letter (16th character) of a fiscal code, from its first 15 characters.
 *
 * @throws {ScalarValidationError} when the input is not 15 letters or digits.
 */
export function fiscalCodeCheckLetter(first15: string): string {
  const value = first15.trim().toUpperCase();
  if (!/^[A-Z0-9]{15}$/.test(value)) {
    throw new ScalarValidationError('FiscalCode', 'the check letter needs exactly 15 letters or digits');
  }
  return checkLetterOf(value);
}

/** Undoes omocodia: omocodia letters at the replaceable positions go back to digits. */
function withoutOmocodia(code: string): string {
  const chars = [...code];
  for (const i of OMOCODIA_INDEXES) {
    const at = OMOCODIA_LETTERS.indexOf(chars[i]!);
    if (at >= 0) chars[i] = String(at);
  }
  return chars.join('');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a reference date, in UTC so the answer does not depend on the machine's zone. */
function referenceDay(today: Date | string | undefined): string {
  if (typeof today === 'string') return today.slice(0, 10);
  return (today ?? new Date()).toISOString().slice(0, 10);
}

/** The decoded parts of a valid fiscal code. */
export interface DecodedFiscalCode {
  /** `YYYY-MM-DD`; of the two possible centuries, the latest that is not in the future. */
  birthDate: string;
  sex: 'F' | 'M';
  /** Cadastral code of the birth comune (`Z...` for a foreign state), omocodia undone. */
  birthPlaceCode: string;
  /** Whether some digits were replaced by omocodia letters. */
  omocodic: boolean;
}

type Inspection = { ok: true; decoded: DecodedFiscalCode } | { ok: false; reason: string };

function inspect(code: string, today?: Date | string): Inspection {
  const fail = (reason: string): Inspection => ({ ok: false, reason });
  if (code.length !== 16) return fail(`must be 16 characters, got ${code.length}`);

  for (let i = 0; i < 16; i++) {
    const ch = code[i]!;
    const position = `character ${i + 1} (${partOf(i)})`;
    if (i === 8) {
      if (!MONTH_LETTERS.includes(ch)) {
        return fail(`month letter ${ch} is not one of ${[...MONTH_LETTERS].join(' ')}`);
      }
    } else if ((OMOCODIA_INDEXES as readonly number[]).includes(i)) {
      if (!isOmocodiaDigit(ch)) {
        return fail(`${position} must be a digit or an omocodia letter (L M N P Q R S T U V), got '${ch}'`);
      }
    } else if (!isLetter(ch)) {
      return fail(`${position} must be a letter, got '${ch}'`);
    }
  }

  // Any replaced subset is accepted: the right-to-left order is how codes are assigned, and
  // enforcing it would reject codes already issued with another pattern.
  const plain = withoutOmocodia(code);
  const yy = Number(plain.slice(6, 8));
  const month = MONTH_LETTERS.indexOf(code[8]!) + 1;
  const dayField = Number(plain.slice(9, 11));
  let sex: 'F' | 'M';
  let day: number;
  if (dayField >= 1 && dayField <= 31) {
    sex = 'M';
    day = dayField;
  } else if (dayField >= 41 && dayField <= 71) {
    sex = 'F';
    day = dayField - 40;
  } else {
    return fail(`day ${pad(dayField)} is not a valid day (1-31, or 41-71 for women)`);
  }

  const reference = referenceDay(today);
  let year = 2000 + yy;
  if (`${year}-${pad(month)}-${pad(day)}` > reference) year -= 100;
  if (day > daysInMonth(year, month)) {
    const monthName = MONTH_NAMES[month - 1]!;
    if (month === 2 && day === 29) {
      return fail(`29 February ${year} is not a real date (${year} is not a leap year)`);
    }
    return fail(`${day} ${monthName} is not a real date`);
  }

  const placeLetter = code[11]!;
  if (!(placeLetter <= 'M' || placeLetter === 'Z')) {
    return fail(`birth place code must start with A-M (comune) or Z (foreign state), got '${placeLetter}'`);
  }

  const expected = checkLetterOf(code.slice(0, 15));
  if (code[15] !== expected) return fail(`check letter should be ${expected}, got ${code[15]}`);

  return {
    ok: true,
    decoded: {
      birthDate: `${year}-${pad(month)}-${pad(day)}`,
      sex,
      birthPlaceCode: plain.slice(11, 15),
      omocodic: plain !== code,
    },
  };
}

const rules: ScalarRules = {
  normalise: (raw) => raw.trim().toUpperCase(),
  problem(value) {
    const result = inspect(value);
    return result.ok ? undefined : result.reason;
  },
};

/** Codice fiscale of a person, upper case, checked in full (structure, date, place, check letter). */
export type FiscalCode = Branded<'FiscalCode'>;

/**
 * Zod schema of a person's codice fiscale. Trims and upper-cases, then checks length, the shape of
 * each part, the month letter, the day (1-31, 41-71 for women), that the birth date exists, the
 * cadastral code's first letter and the check letter. Omocodic codes are valid.
 */
export const fiscalCodeSchema = brandedSchema('FiscalCode', rules);

/**
 * @throws {ScalarValidationError} naming the bad part, e.g. `fiscal code: day 99 is not a valid day ...`.
 */
export function parseFiscalCode(value: unknown): FiscalCode {
  return parseBranded('FiscalCode', rules, value);
}

/** Whether the value (after trimming and upper-casing) is a valid codice fiscale. */
export function isValidFiscalCode(value: unknown): boolean {
  return isValidBranded(rules, value);
}

/**
 * Birth date, sex, birth place and omocodia of a valid codice fiscale.
 *
 * @param options.today reference date for the century: the birth year is the latest one not after
 *   it. @default now
 * @throws {ScalarValidationError} when the code is not valid.
 */
export function decodeFiscalCode(value: string, options: { today?: Date | string } = {}): DecodedFiscalCode {
  const result = inspect(rules.normalise(value), options.today);
  if (!result.ok) throw new ScalarValidationError('FiscalCode', result.reason);
  return result.decoded;
}

/** What {@link computeFiscalCode} needs to know about a person. */
export interface FiscalCodePerson {
  surname: string;
  name: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  sex: 'F' | 'M';
  /** Cadastral code of the birth comune, or `Z...` for a foreign state (e.g. `H501` Roma). */
  birthPlaceCode: string;
}

/** Upper-case ASCII letters only: accents dropped, spaces and apostrophes removed. */
function lettersOf(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
}

function splitLetters(text: string, part: 'surname' | 'name') {
  const letters = lettersOf(text);
  if (letters.length === 0) throw new ScalarValidationError('FiscalCode', `${part} has no letters`);
  return {
    consonants: letters.replace(/[AEIOU]/g, ''),
    vowels: letters.replace(/[^AEIOU]/g, ''),
  };
}

/**
 * Computes the codice fiscale of a person, as the Agenzia delle Entrate does for the first holder
 * of a combination (pass `omocodia` to get the n-th replacement variant instead).
 *
 * @param options.omocodia how many digits to replace with omocodia letters, right to left (0-7).
 *   @default 0
 * @throws {ScalarValidationError} when a field cannot produce a code (no letters in the surname,
 *   a date that does not exist, a malformed cadastral code).
 */
export function computeFiscalCode(person: FiscalCodePerson, options: { omocodia?: number } = {}): FiscalCode {
  const surname = splitLetters(person.surname, 'surname');
  const surnameCode = (surname.consonants + surname.vowels + 'XXX').slice(0, 3);
  const name = splitLetters(person.name, 'name');
  const nameCode =
    name.consonants.length > 3
      ? name.consonants[0]! + name.consonants[2]! + name.consonants[3]!
      : (name.consonants + name.vowels + 'XXX').slice(0, 3);

  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(person.birthDate);
  const [year, month, day] = date ? [Number(date[1]), Number(date[2]), Number(date[3])] : [0, 0, 0];
  if (!date || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new ScalarValidationError('FiscalCode', 'birth date must be a real date as YYYY-MM-DD');
  }
  const place = person.birthPlaceCode.trim().toUpperCase();
  if (!/^[A-MZ]\d{3}$/.test(place)) {
    throw new ScalarValidationError('FiscalCode', 'birth place code must be a letter A-M or Z and 3 digits');
  }
  const omocodia = options.omocodia ?? 0;
  if (!Number.isInteger(omocodia) || omocodia < 0 || omocodia > OMOCODIA_INDEXES.length) {
    throw new ScalarValidationError('FiscalCode', 'omocodia must be an integer from 0 to 7');
  }

  const chars = [
    ...surnameCode,
    ...nameCode,
    ...pad(year % 100),
    MONTH_LETTERS[month - 1]!,
    ...pad(person.sex === 'F' ? day + 40 : day),
    ...place,
  ];
  for (const i of OMOCODIA_INDEXES.slice(OMOCODIA_INDEXES.length - omocodia)) {
    chars[i] = OMOCODIA_LETTERS[Number(chars[i])]!;
  }
  const first15 = chars.join('');
  return (first15 + checkLetterOf(first15)) as FiscalCode;
}
