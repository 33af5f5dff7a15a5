import { describe, expect, it } from 'vitest';
import {
  PAPER_CARD_LAST_VALID_DAY,
  cieExpiry,
  documentValidity,
  dueReminderOffset,
  effectiveExpiry,
} from './identity-document.js';
import { addDays, ageOn, birthdayIn } from '@sportello/platform';

describe('CIE expiry', () => {
  describe('adults: 10 years at most, ending on the last birthday before', () => {
    const born = '1980-05-10';
    it('issued on the birthday: exactly 10 years', () => {
      expect(cieExpiry(born, '2020-05-10')).toBe('2030-05-10');
    });
    it('issued the day after the birthday: the birthday one day short of 10 years', () => {
      expect(cieExpiry(born, '2020-05-11')).toBe('2030-05-10');
    });
    it('issued the day before the birthday: the birthday a year earlier (9 years and a day)', () => {
      expect(cieExpiry(born, '2020-05-09')).toBe('2029-05-10');
    });
    it('issued on the 18th birthday counts as an adult', () => {
      expect(cieExpiry('2002-03-15', '2020-03-15')).toBe('2030-03-15');
    });
  });

  describe('3 to 18: 5 years, ending on the first birthday after', () => {
    const born = '2010-05-10';
    it('issued on the birthday: exactly 5 years', () => {
      expect(cieExpiry(born, '2020-05-10')).toBe('2025-05-10');
    });
    it('issued the day before the birthday: 5 years and a day', () => {
      expect(cieExpiry(born, '2020-05-09')).toBe('2025-05-10');
    });
    it('issued the day after the birthday: the next birthday, almost 6 years', () => {
      expect(cieExpiry(born, '2020-05-11')).toBe('2026-05-10');
    });
    it('issued on the 3rd birthday counts as 3-18', () => {
      expect(cieExpiry('2017-06-01', '2020-06-01')).toBe('2025-06-01');
    });
    it('issued the day before the 18th birthday is still 5 years', () => {
      expect(cieExpiry('2002-03-15', '2020-03-14')).toBe('2025-03-15');
    });
  });

  describe('under 3: 3 years, ending on the first birthday after', () => {
    it('issued the day before the 3rd birthday is still 3 years, to the 6th birthday', () => {
      expect(cieExpiry('2017-06-01', '2020-05-31')).toBe('2023-06-01');
    });
    it('issued to a newborn the day after birth: to the 4th birthday', () => {
      expect(cieExpiry('2020-01-10', '2020-01-11')).toBe('2024-01-10');
    });
    it('issued on the day of birth: the 3rd birthday', () => {
      expect(cieExpiry('2020-01-10', '2020-01-10')).toBe('2023-01-10');
    });
  });

  describe('born on 29 February', () => {
    const born = '2000-02-29';
    it('turns a year older on 28 February in common years', () => {
      expect(birthdayIn(born, 2021)).toBe('2021-02-28');
      expect(ageOn(born, '2021-02-27')).toBe(20);
      expect(ageOn(born, '2021-02-28')).toBe(21);
      expect(ageOn(born, '2024-02-28')).toBe(23);
      expect(ageOn(born, '2024-02-29')).toBe(24);
    });
    it('adult card issued on 1 March 2021 ends on 28 February 2031', () => {
      expect(cieExpiry(born, '2021-03-01')).toBe('2031-02-28');
    });
    it('adult card issued on 28 February 2021 (the birthday) ends 10 years later', () => {
      expect(cieExpiry(born, '2021-02-28')).toBe('2031-02-28');
    });
    it('adult card issued on 29 February 2024 (a birthday) ends on 28 February 2034', () => {
      expect(cieExpiry(born, '2024-02-29')).toBe('2034-02-28');
    });
    it('adult card issued on 27 February 2030 ends on the birthday before: 28 February 2039', () => {
      expect(cieExpiry(born, '2030-02-27')).toBe('2039-02-28');
    });
    it('minor card issued on 1 March 2004 (aged 4) ends on the 2010 birthday (28 February)', () => {
      expect(cieExpiry(born, '2004-03-01')).toBe('2010-02-28');
    });
    it('minor card issued on 28 February 2005, the 5th birthday in a common year, lasts exactly 5 years', () => {
      expect(ageOn(born, '2005-02-28')).toBe(5);
      expect(cieExpiry(born, '2005-02-28')).toBe('2010-02-28');
    });
    it('minor card issued in a leap year on 29 February ends on the birthday in the common year', () => {
      expect(cieExpiry(born, '2008-02-29')).toBe('2013-02-28');
    });
  });

  it('refuses an issue date before the birth', () => {
    expect(() => cieExpiry('2020-01-10', '2020-01-09')).toThrow(/before its holder is born/);
  });
});

describe('paper cards', () => {
  it('stop at 3 August 2026 whatever they show', () => {
    expect(effectiveExpiry('paper', '2029-11-30')).toBe(PAPER_CARD_LAST_VALID_DAY);
    expect(effectiveExpiry('paper', '2025-01-31')).toBe('2025-01-31');
    expect(effectiveExpiry('CIE', '2029-11-30')).toBe('2029-11-30');
  });
  it('are valid on 3 August 2026 and expired the day after', () => {
    expect(documentValidity(PAPER_CARD_LAST_VALID_DAY, '2026-08-03').valid).toBe(true);
    expect(documentValidity(PAPER_CARD_LAST_VALID_DAY, '2026-08-04').valid).toBe(false);
  });
});

describe('renewal window', () => {
  it('opens 180 days before expiry', () => {
    const expiry = '2027-06-30';
    expect(documentValidity(expiry, addDays(expiry, -181)).renewalOpen).toBe(false);
    expect(documentValidity(expiry, addDays(expiry, -180))).toMatchObject({
      renewalOpen: true,
      daysLeft: 180,
      renewableFrom: '2027-01-01',
    });
  });
});

describe('reminder offsets', () => {
  const offsets = [180, 30, 7];
  it('picks the smallest offset reached', () => {
    expect(dueReminderOffset(181, offsets)).toBeNull();
    expect(dueReminderOffset(180, offsets)).toBe(180);
    expect(dueReminderOffset(31, offsets)).toBe(180);
    expect(dueReminderOffset(30, offsets)).toBe(30);
    expect(dueReminderOffset(20, offsets)).toBe(30);
    expect(dueReminderOffset(7, offsets)).toBe(7);
    expect(dueReminderOffset(0, offsets)).toBe(7);
    expect(dueReminderOffset(-1, offsets)).toBeNull();
  });
});
