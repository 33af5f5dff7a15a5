import { describe, expect, it } from 'vitest';
import {
  computeFiscalCode,
  decodeFiscalCode,
  fiscalCodeCheckLetter,
  fiscalCodeSchema,
  isValidFiscalCode,
  parseFiscalCode,
  type FiscalCodePerson,
} from './fiscal-code.js';
import { ScalarValidationError } from './validation-error.js';

const TODAY = '2026-01-15';

/** The reason a code is rejected, or undefined when it is accepted. */
function reasonFor(code: string): string | undefined {
  try {
    parseFiscalCode(code);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ScalarValidationError);
    const scalarError = error as ScalarValidationError;
    expect(scalarError.scalar).toBe('FiscalCode');
    expect(scalarError.message).toBe(`fiscal code: ${scalarError.reason}`);
    return scalarError.reason;
  }
}

/** Replaces the check letter so that only the part under test is wrong. */
function withCheckLetter(first15: string): string {
  return first15 + fiscalCodeCheckLetter(first15);
}

describe('fiscal code', () => {
  it.each(['RCCMNL83S18D969H', 'RSSMRA80A01H501U', 'CNTCHR83T41D969D', 'RSSMRA80B01F2LRC'])(
    'accepts the worked example %s',
    (code) => {
      expect(reasonFor(code)).toBeUndefined();
      expect(isValidFiscalCode(code)).toBe(true);
      expect(fiscalCodeSchema.safeParse(code).success).toBe(true);
    },
  );

  it('computes the check letter of the worked example', () => {
    expect(fiscalCodeCheckLetter('RCCMNL83S18D969')).toBe('H');
    expect(() => fiscalCodeCheckLetter('RCCMNL83S18D96')).toThrow(ScalarValidationError);
  });

  it('normalises case and surrounding spaces', () => {
    expect(parseFiscalCode('  rssmra80a01h501u ')).toBe('RSSMRA80A01H501U');
    expect(fiscalCodeSchema.parse(' cntchr83t41d969d')).toBe('CNTCHR83T41D969D');
  });

  it('names a wrong check letter and the expected one', () => {
    expect(reasonFor('RCCMNL83S18D969X')).toBe('check letter should be H, got X');
  });

  it('rejects a day outside 1-31 and 41-71', () => {
    expect(reasonFor(withCheckLetter('RSSMRA80A99H501'))).toMatch(/^day 99 is not a valid day/);
    expect(reasonFor(withCheckLetter('RSSMRA80A00H501'))).toMatch(/^day 00 is not a valid day/);
    expect(reasonFor(withCheckLetter('RSSMRA80A35H501'))).toMatch(/^day 35 is not a valid day/);
    expect(reasonFor(withCheckLetter('RSSMRA80A72H501'))).toMatch(/^day 72 is not a valid day/);
  });

  it('rejects dates that do not exist, also for women', () => {
    expect(reasonFor(withCheckLetter('RSSMRA80B31H501'))).toBe('31 February is not a real date');
    expect(reasonFor(withCheckLetter('RSSMRA80B71H501'))).toBe('31 February is not a real date');
    expect(reasonFor(withCheckLetter('RSSMRA80D31H501'))).toBe('31 April is not a real date');
  });

  it('accepts 29 February only in leap years', () => {
    expect(reasonFor(withCheckLetter('RSSMRA80B29H501'))).toBeUndefined();
    expect(reasonFor(withCheckLetter('RSSMRA00B29H501'))).toBeUndefined(); // 2000 is a leap year
    expect(reasonFor(withCheckLetter('RSSMRA83B29H501'))).toBe(
      '29 February 1983 is not a real date (1983 is not a leap year)',
    );
    expect(reasonFor(withCheckLetter('RSSMRA83B69H501'))).toMatch(/^29 February 1983/);
  });

  it('rejects a wrong month letter and malformed parts, naming the character', () => {
    expect(reasonFor(withCheckLetter('RSSMRA80F01H501'))).toBe(
      'month letter F is not one of A B C D E H L M P R S T',
    );
    expect(reasonFor(withCheckLetter('RS1MRA80A01H501'))).toBe(
      "character 3 (surname code) must be a letter, got '1'",
    );
    expect(reasonFor(withCheckLetter('RSSMRA8AA01H501'))).toBe(
      "character 8 (birth year) must be a digit or an omocodia letter (L M N P Q R S T U V), got 'A'",
    );
    expect(reasonFor(withCheckLetter('RSSMRA80A011501'))).toBe(
      "character 12 (birth place code) must be a letter, got '1'",
    );
    expect(reasonFor('RSSMRA80A01H5011')).toBe("character 16 (check letter) must be a letter, got '1'");
  });

  it('rejects a birth place code outside A-M and Z', () => {
    expect(reasonFor(withCheckLetter('RSSMRA80A01N501'))).toBe(
      "birth place code must start with A-M (comune) or Z (foreign state), got 'N'",
    );
    expect(reasonFor(withCheckLetter('RSSMRA80A01Z404'))).toBeUndefined();
  });

  it('rejects wrong lengths and non-strings', () => {
    expect(reasonFor('RSSMRA80A01H501')).toBe('must be 16 characters, got 15');
    expect(reasonFor('RSSMRA80A01H501UU')).toBe('must be 16 characters, got 17');
    expect(reasonFor('')).toBe('must be 16 characters, got 0');
    expect(() => parseFiscalCode(42)).toThrow('fiscal code: must be a string, got number');
    expect(isValidFiscalCode(null)).toBe(false);
    const result = fiscalCodeSchema.safeParse(42);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('fiscal code: must be a string');
  });

  it('reports the reason through zod as well', () => {
    const result = fiscalCodeSchema.safeParse('RCCMNL83S18D969X');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('fiscal code: check letter should be H, got X');
  });

  it('never repeats the whole code in a message', () => {
    const code = 'RCCMNL83S18D969X';
    expect(() => parseFiscalCode(code)).toThrow(ScalarValidationError);
    expect(reasonFor(code)).not.toContain(code.slice(0, 6));
  });
});

describe('decodeFiscalCode', () => {
  it('decodes birth date, sex and place', () => {
    expect(decodeFiscalCode('RCCMNL83S18D969H', { today: TODAY })).toEqual({
      birthDate: '1983-11-18',
      sex: 'M',
      birthPlaceCode: 'D969',
      omocodic: false,
    });
    expect(decodeFiscalCode('CNTCHR83T41D969D', { today: TODAY })).toEqual({
      birthDate: '1983-12-01',
      sex: 'F',
      birthPlaceCode: 'D969',
      omocodic: false,
    });
  });

  it('undoes omocodia', () => {
    expect(decodeFiscalCode('RSSMRA80B01F2LRC', { today: TODAY })).toEqual({
      birthDate: '1980-02-01',
      sex: 'M',
      birthPlaceCode: 'F205',
      omocodic: true,
    });
    // Every replaceable digit replaced: year, day and place all come back.
    const full = computeFiscalCode(
      { surname: 'Rossi', name: 'Maria', birthDate: '1975-07-23', sex: 'F', birthPlaceCode: 'H501' },
      { omocodia: 7 },
    );
    expect(full.slice(0, 15)).toBe('RSSMRATRLSPHRLM');
    expect(full[15]).toBe(fiscalCodeCheckLetter('RSSMRATRLSPHRLM'));
    expect(decodeFiscalCode(full, { today: TODAY })).toEqual({
      birthDate: '1975-07-23',
      sex: 'F',
      birthPlaceCode: 'H501',
      omocodic: true,
    });
  });

  it('picks the century so that nobody is born in the future', () => {
    const code = computeFiscalCode({
      surname: 'Bianchi',
      name: 'Luca',
      birthDate: '2020-03-10',
      sex: 'M',
      birthPlaceCode: 'L219',
    });
    expect(decodeFiscalCode(code, { today: '2026-01-01' }).birthDate).toBe('2020-03-10');
    expect(decodeFiscalCode(code, { today: '2020-03-10' }).birthDate).toBe('2020-03-10');
    expect(decodeFiscalCode(code, { today: '2020-03-09' }).birthDate).toBe('1920-03-10');
    expect(decodeFiscalCode(code, { today: new Date('2019-12-31T12:00:00Z') }).birthDate).toBe('1920-03-10');
  });

  it('throws on an invalid code', () => {
    expect(() => decodeFiscalCode('RSSMRA80A01H501X')).toThrow(
      'fiscal code: check letter should be U, got X',
    );
  });
});

describe('computeFiscalCode', () => {
  it('builds surname and name codes by the consonant rules', () => {
    const person = (surname: string, name: string): FiscalCodePerson => ({
      surname,
      name,
      birthDate: '1980-01-01',
      sex: 'M',
      birthPlaceCode: 'H501',
    });
    expect(computeFiscalCode(person('Rossi', 'Mario'))).toBe('RSSMRA80A01H501U');
    // Name with more than three consonants: 1st, 3rd and 4th.
    expect(computeFiscalCode(person('Rossi', 'Gianfranco')).slice(3, 6)).toBe('GFR');
    // Short surname padded with X; accents and apostrophes ignored.
    expect(computeFiscalCode(person('Fo', 'Dario')).slice(0, 3)).toBe('FOX');
    expect(computeFiscalCode(person("D'Amìco", 'Nicolò')).slice(0, 6)).toBe('DMCNCL');
    expect(computeFiscalCode(person('Li', 'Yu')).slice(0, 6)).toBe('LIXYUX');
  });

  it('encodes women with day + 40', () => {
    const code = computeFiscalCode({
      surname: 'Conte',
      name: 'Chiara',
      birthDate: '1983-12-01',
      sex: 'F',
      birthPlaceCode: 'D969',
    });
    expect(code).toBe('CNTCHR83T41D969D');
  });

  it('reproduces the omocodic worked example', () => {
    const code = computeFiscalCode(
      { surname: 'Rossi', name: 'Mario', birthDate: '1980-02-01', sex: 'M', birthPlaceCode: 'F205' },
      { omocodia: 2 },
    );
    expect(code).toBe('RSSMRA80B01F2LRC');
  });

  it('rejects input that cannot make a code', () => {
    const base: FiscalCodePerson = {
      surname: 'Rossi',
      name: 'Mario',
      birthDate: '1980-02-01',
      sex: 'M',
      birthPlaceCode: 'F205',
    };
    expect(() => computeFiscalCode({ ...base, birthDate: '1981-02-29' })).toThrow(/birth date/);
    expect(() => computeFiscalCode({ ...base, birthDate: '01/02/1980' })).toThrow(/birth date/);
    expect(() => computeFiscalCode({ ...base, birthPlaceCode: 'F20' })).toThrow(/birth place code/);
    expect(() => computeFiscalCode({ ...base, surname: "'' " })).toThrow(
      'fiscal code: surname has no letters',
    );
    expect(() => computeFiscalCode(base, { omocodia: 8 })).toThrow(/omocodia/);
  });

  it('round-trips generated people through the validator and decoder', () => {
    // A small deterministic generator: the same people every run, spread over a century.
    let seed = 20240229;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const surnames = ['Rossi', 'Esposito', 'Bianchi', 'Fo', 'De Luca', "D'Angelo", 'Zucconi', 'Ng', 'Iàcono'];
    const names = ['Maria', 'Giuseppe', 'Gianfranco', 'Eva', 'Anna Maria', 'Ugo', 'Noè', 'Xu', 'Ilaria'];
    const places = ['H501', 'F205', 'D969', 'L219', 'A001', 'M082', 'Z404', 'Z133'];
    const start = Date.UTC(1926, 1, 1);
    const span = Date.UTC(2026, 0, 1) - start;
    for (let i = 0; i < 2000; i++) {
      const birthDate = new Date(start + next(span / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
      const person: FiscalCodePerson = {
        surname: surnames[next(surnames.length)]!,
        name: names[next(names.length)]!,
        birthDate,
        sex: next(2) === 0 ? 'F' : 'M',
        birthPlaceCode: places[next(places.length)]!,
      };
      const omocodia = next(8);
      const code = computeFiscalCode(person, { omocodia });
      expect(reasonFor(code), `${birthDate} omocodia ${omocodia}`).toBeUndefined();
      expect(decodeFiscalCode(code, { today: TODAY })).toEqual({
        birthDate: person.birthDate,
        sex: person.sex,
        birthPlaceCode: person.birthPlaceCode,
        omocodic: omocodia > 0,
      });
    }
  });
});
