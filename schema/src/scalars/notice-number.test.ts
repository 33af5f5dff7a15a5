import { describe, expect, it } from 'vitest';
import {
  formatNoticeNumber,
  isValidNoticeNumber,
  iuvOf,
  makeNoticeNumber,
  noticeCheckDigits,
  noticeNumberSchema,
  pagoPaQrPayload,
  parseNoticeNumber,
} from './notice-number.js';
import { ScalarValidationError } from './validation-error.js';

function reasonFor(value: unknown): string | undefined {
  try {
    parseNoticeNumber(value);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ScalarValidationError);
    expect((error as ScalarValidationError).scalar).toBe('NoticeNumber');
    return (error as ScalarValidationError).reason;
  }
}

describe('notice number', () => {
  it.each(['302032002700000251', '301011100007347557'])('accepts the worked example %s', (notice) => {
    expect(reasonFor(notice)).toBeUndefined();
    expect(isValidNoticeNumber(notice)).toBe(true);
  });

  it('computes mod-93 check digits beyond the safe integer range', () => {
    expect(noticeCheckDigits('3020320027000002')).toBe('51');
    expect(noticeCheckDigits('9999999999999999')).toBe(String(9999999999999999n % 93n).padStart(2, '0'));
    expect(() => noticeCheckDigits('302032002700000')).toThrow(ScalarValidationError);
  });

  it('names expected and received check digits', () => {
    expect(reasonFor('302032002700000250')).toBe('check digits 51 expected, got 50');
    expect(() => parseNoticeNumber('302032002700000250')).toThrow(
      'notice number: check digits 51 expected, got 50',
    );
  });

  it('rejects placeholder numbers from documentation that fail the check', () => {
    expect(reasonFor('301000000000000000')).toMatch(/^check digits \d\d expected, got 00$/);
    expect(reasonFor('012345678901234567')).toMatch(/^check digits \d\d expected, got 67$/);
    expect(reasonFor('312345678901234567')).toMatch(/^check digits \d\d expected, got 67$/);
  });

  it('checks aux 0 and 2 with mod 93 too', () => {
    const aux0 = `0${'12'}${'1234567890123'}`;
    expect(reasonFor(aux0 + noticeCheckDigits(aux0))).toBeUndefined();
    const aux2 = `2${'123456789012345'}`;
    expect(reasonFor(aux2 + noticeCheckDigits(aux2))).toBeUndefined();
    const wrong = ((Number(noticeCheckDigits(aux2)) + 1) % 93).toString().padStart(2, '0');
    expect(reasonFor(aux2 + wrong)).toMatch(/^check digits/);
  });

  it('accepts aux 1 without any check digits', () => {
    expect(reasonFor('112345678901234567')).toBeUndefined();
    expect(reasonFor('100000000000000000')).toBeUndefined();
  });

  it('rejects an aux digit above 3', () => {
    expect(reasonFor('402032002700000251')).toBe('aux digit 4 is not one of 0, 1, 2, 3');
    expect(reasonFor('902032002700000251')).toBe('aux digit 9 is not one of 0, 1, 2, 3');
  });

  it('rejects wrong lengths, non-digits and numbers', () => {
    expect(reasonFor('30203200270000025')).toBe('must be 18 digits, got 17');
    expect(reasonFor('3020320027000002511')).toBe('must be 18 digits, got 19');
    expect(reasonFor('30203200270000025A')).toBe('must contain digits only');
    expect(reasonFor('3020-3200-2700-0002-51')).toBe('must contain digits only');
    expect(reasonFor(3020320027)).toBe('must be a string, got number');
    expect(noticeNumberSchema.safeParse('302032002700000250').error?.issues[0]?.message).toBe(
      'notice number: check digits 51 expected, got 50',
    );
  });

  it('accepts the printed grouping', () => {
    expect(parseNoticeNumber('3020 3200 2700 0002 51')).toBe('302032002700000251');
    expect(formatNoticeNumber('302032002700000251')).toBe('3020 3200 2700 0002 51');
  });

  it('extracts the IUV', () => {
    expect(iuvOf('302032002700000251')).toBe('02032002700000251');
    const aux0 = `012${'1234567890123'}`;
    expect(iuvOf(aux0 + noticeCheckDigits(aux0))).toBe(`1234567890123${noticeCheckDigits(aux0)}`);
    expect(iuvOf('112345678901234567')).toBe('12345678901234567');
    expect(() => iuvOf('302032002700000250')).toThrow(ScalarValidationError);
  });
});

describe('makeNoticeNumber', () => {
  it('reproduces the worked example', () => {
    expect(makeNoticeNumber({ segregationCode: '02', iuvBase: '0320027000002' })).toBe('302032002700000251');
    expect(makeNoticeNumber({ segregationCode: '02', iuvBase: 320027000002n })).toBe('302032002700000251');
  });

  it('makes numbers that pass validation across the whole range', () => {
    for (let i = 0n; i < 500n; i++) {
      const base = (i * 20_000_000_003n) % 10n ** 13n;
      const segregationCode = String(Number(i % 99n) + 1).padStart(2, '0');
      const notice = makeNoticeNumber({ segregationCode, iuvBase: base });
      expect(reasonFor(notice)).toBeUndefined();
      expect(notice.slice(1, 3)).toBe(segregationCode);
      expect(iuvOf(notice).slice(2, 15)).toBe(base.toString().padStart(13, '0'));
    }
    expect(reasonFor(makeNoticeNumber({ segregationCode: '99', iuvBase: 10n ** 13n - 1n }))).toBeUndefined();
  });

  it('rejects malformed parts', () => {
    expect(() => makeNoticeNumber({ segregationCode: '00', iuvBase: 1n })).toThrow(/segregation code/);
    expect(() => makeNoticeNumber({ segregationCode: '1', iuvBase: 1n })).toThrow(/segregation code/);
    expect(() => makeNoticeNumber({ segregationCode: '01', iuvBase: '123' })).toThrow(
      'IUV base must be 13 digits',
    );
    expect(() => makeNoticeNumber({ segregationCode: '01', iuvBase: 10n ** 13n })).toThrow(/IUV base/);
    expect(() => makeNoticeNumber({ segregationCode: '01', iuvBase: -1n })).toThrow(/IUV base/);
  });
});

describe('pagoPaQrPayload', () => {
  it('joins the validated parts', () => {
    expect(
      pagoPaQrPayload({
        noticeNumber: '3020 3200 2700 0002 51',
        creditorFiscalCode: '83000390019',
        amountCents: 102099,
      }),
    ).toBe('PAGOPA|002|302032002700000251|83000390019|102099');
  });

  it('names the bad part', () => {
    const good = { noticeNumber: '302032002700000251', creditorFiscalCode: '83000390019', amountCents: 100 };
    expect(() => pagoPaQrPayload({ ...good, noticeNumber: '302032002700000250' })).toThrow(
      'notice number: check digits 51 expected, got 50',
    );
    expect(() => pagoPaQrPayload({ ...good, creditorFiscalCode: '83000390018' })).toThrow(
      'organization fiscal code: check digit should be 9, got 8',
    );
    expect(() => pagoPaQrPayload({ ...good, amountCents: 0 })).toThrow(RangeError);
    expect(() => pagoPaQrPayload({ ...good, amountCents: 10.5 })).toThrow(/amountCents/);
    expect(() => pagoPaQrPayload({ ...good, amountCents: 10_000_000_000 })).toThrow(/amountCents/);
  });
});
