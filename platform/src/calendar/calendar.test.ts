import { describe, expect, test } from 'vitest';
import {
  addDays,
  addMonths,
  addWorkingDays,
  addYears,
  ageOn,
  civilDate,
  daysBetween,
  firstBirthdayOnOrAfter,
  formatItalianDate,
  isIsoDate,
  isoWeekday,
  isWorkingDay,
  lastBirthdayOnOrBefore,
  parseIsoDate,
  startOfCivilDay,
  todayIn,
  zonedDateTime,
  zonedInstant,
} from './calendar.js';

describe('civil calendar', () => {
  test('reads only days the calendar has', () => {
    expect(['2026-02-28', '2028-02-29', '2000-02-29'].map(isIsoDate)).toEqual([true, true, true]);
    expect(['2026-02-31', '2026-02-29', '1900-02-29', '2026-13-01', '2026-1-01', ''].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(() => parseIsoDate('2026-02-31', 'dueDate')).toThrow(
      'dueDate must be a calendar day written YYYY-MM-DD, got "2026-02-31"',
    );
    expect(() => addDays('2026-02-31', 1)).toThrow(RangeError);
  });

  test('turns instants into Rome days, around midnight and summer time', () => {
    // 23:30 UTC is already the next day in Rome, in winter and in summer.
    expect(civilDate(new Date('2026-01-31T23:30:00Z'))).toBe('2026-02-01');
    expect(civilDate(new Date('2026-07-31T22:30:00Z'))).toBe('2026-08-01');
    expect(civilDate(new Date('2026-07-31T22:30:00Z'), 'UTC')).toBe('2026-07-31');
    expect(todayIn('Europe/Rome', new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
    expect(startOfCivilDay('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfCivilDay('2026-03-30').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(zonedInstant('2026-10-26', '09:30').toISOString()).toBe('2026-10-26T08:30:00.000Z');
    expect(zonedDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29T03:00:00+02:00');
    expect(zonedDateTime(new Date('2026-01-05T23:30:05Z'))).toBe('2026-01-06T00:30:05+01:00');
    expect(zonedDateTime(new Date('2026-01-05T23:30:05Z'), 'America/St_Johns')).toBe(
      '2026-01-05T20:00:05-03:30',
    );
  });

  test('counts days, months, years and working days', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(daysBetween('2026-12-25', '2027-01-06')).toBe(12);
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(isoWeekday('2026-12-06')).toBe(7);
    expect(isWorkingDay('2026-10-05')).toBe(true);
    // St Francis is a holiday again from 2026; Easter Monday 2026 is 6 April.
    expect([isWorkingDay('2026-10-05'), isWorkingDay('2026-10-04'), isWorkingDay('2026-04-06')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(addWorkingDays('2026-04-02', 2)).toBe('2026-04-07');
    expect(formatItalianDate('2026-08-03')).toBe('03/08/2026');
  });

  test('counts ages and birthdays as the civil code does', () => {
    expect(ageOn('2008-12-07', '2026-12-06')).toBe(17);
    expect(ageOn('2008-12-07', '2026-12-07')).toBe(18);
    // Born on 29 February: a year older on 28 February in common years.
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(18);
    expect(firstBirthdayOnOrAfter('2008-02-29', '2026-03-01')).toBe('2027-02-28');
    expect(lastBirthdayOnOrBefore('2008-02-29', '2028-03-01')).toBe('2028-02-29');
  });
});
