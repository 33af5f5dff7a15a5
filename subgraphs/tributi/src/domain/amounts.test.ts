import { describe, expect, it } from 'vitest';
import { amountProblem, formatEuroAmount, splitAmount } from './amounts.js';
import { defaultReducedAmount, fineAmountDue, reducedUntil } from './fines.js';
import { addDays, formatItalianDate, isIsoDate, civilDate } from '@sportello/platform';

describe('amounts as printed on a notice', () => {
  it('uses Italian separators', () => {
    expect(formatEuroAmount(102_099)).toBe('1.020,99');
    expect(formatEuroAmount(5)).toBe('0,05');
    expect(formatEuroAmount(123_456_789)).toBe('1.234.567,89');
    expect(formatEuroAmount(100_000)).toBe('1.000,00');
  });

  it('splits a total into instalments that add up exactly, odd cents first', () => {
    expect(splitAmount(10_001, 2)).toEqual([5_001, 5_000]);
    const shares = splitAmount(100_000, 3);
    expect(shares).toEqual([33_334, 33_333, 33_333]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(() => splitAmount(1, 2)).toThrow(/cannot be split/);
  });

  it('names what is wrong with an amount', () => {
    expect(amountProblem(0)).toMatch(/at least 1 cent/);
    expect(amountProblem(10.5)).toMatch(/whole number/);
    expect(amountProblem(10_000_000_000)).toMatch(/at most 9999999999/);
    expect(amountProblem(1)).toBeUndefined();
  });
});

describe('calendar days', () => {
  it('prints dd/mm/yyyy and rejects impossible days', () => {
    expect(formatItalianDate('2026-12-16')).toBe('16/12/2026');
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(addDays('2026-12-30', 5)).toBe('2027-01-04');
  });

  it('counts the day in Italian time, not UTC', () => {
    expect(civilDate(new Date('2026-03-06T23:30:00Z'))).toBe('2026-03-07');
    expect(civilDate(new Date('2026-07-06T22:30:00Z'))).toBe('2026-07-07');
    expect(civilDate(new Date('2026-07-06T21:30:00Z'))).toBe('2026-07-06');
  });
});

describe('fine reduction', () => {
  const terms = { amountCents: 4_200, reducedAmountCents: 2_940, notifiedOn: '2026-03-02' };

  it('costs the reduced amount up to 5 days after notification, the full amount after', () => {
    expect(reducedUntil('2026-03-02')).toBe('2026-03-07');
    expect(fineAmountDue(terms, new Date('2026-03-02T10:00:00Z'))).toBe(2_940);
    expect(fineAmountDue(terms, new Date('2026-03-07T20:00:00Z'))).toBe(2_940);
    expect(fineAmountDue(terms, new Date('2026-03-08T08:00:00Z'))).toBe(4_200);
    // 23:30 UTC on the 7th is already the 8th in Italy.
    expect(fineAmountDue(terms, new Date('2026-03-07T23:30:00Z'))).toBe(4_200);
  });

  it('defaults to 30% off and follows other rules when configured', () => {
    expect(defaultReducedAmount(4_200)).toBe(2_940);
    expect(defaultReducedAmount(4_200, { reducedWithinDays: 5, reductionPercent: 0 })).toBe(4_200);
    expect(
      fineAmountDue(terms, new Date('2026-03-09T10:00:00Z'), { reducedWithinDays: 10, reductionPercent: 30 }),
    ).toBe(2_940);
  });
});
