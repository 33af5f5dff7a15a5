/**
 * Calendar days (`YYYY-MM-DD`) without time zones: birth dates, issue and expiry dates are days in
 * the comune's calendar, and mixing them with instants shifts them by a day around midnight.
 */

/** A calendar day as `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Day {
  year: number;
  month: number;
  day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Whether `value` is a real calendar day written as `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function parse(value: IsoDate): Day {
  if (!isIsoDate(value)) throw new RangeError(`not a calendar day (YYYY-MM-DD): ${value}`);
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

function format({ year, month, day }: Day): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function toUtc(value: IsoDate): number {
  const { year, month, day } = parse(value);
  return Date.UTC(year, month - 1, day);
}

function fromUtc(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtc(toUtc(date) + days * 86_400_000);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / 86_400_000);
}

/**
 * The same day `months` later. A day the target month lacks becomes its last day (31 August + 6
 * months = 28 or 29 February), as terms are counted under art. 2963 of the civil code.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = parse(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return format({
    year: targetYear,
    month: targetMonth,
    day: Math.min(day, daysInMonth(targetYear, targetMonth)),
  });
}

/** The same day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: IsoDate, years: number): IsoDate {
  return addMonths(date, years * 12);
}

/**
 * The birthday of someone born on `birthDate` in `year`. Someone born on 29 February has their
 * birthday on 28 February in common years (the year of age is complete on the last day of the
 * month, art. 2963 c.c.).
 */
export function birthdayIn(birthDate: IsoDate, year: number): IsoDate {
  const { month, day } = parse(birthDate);
  return format({ year, month, day: Math.min(day, daysInMonth(year, month)) });
}

/** Age in completed years on `on`. */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const year = parse(on).year;
  const birthYear = parse(birthDate).year;
  return birthdayIn(birthDate, year) <= on ? year - birthYear : year - birthYear - 1;
}

/** The first birthday on or after `date`. */
export function firstBirthdayOnOrAfter(birthDate: IsoDate, date: IsoDate): IsoDate {
  const year = parse(date).year;
  const thisYear = birthdayIn(birthDate, year);
  return thisYear >= date ? thisYear : birthdayIn(birthDate, year + 1);
}

/** The last birthday on or before `date`. */
export function lastBirthdayOnOrBefore(birthDate: IsoDate, date: IsoDate): IsoDate {
  const year = parse(date).year;
  const thisYear = birthdayIn(birthDate, year);
  return thisYear <= date ? thisYear : birthdayIn(birthDate, year - 1);
}

/** Today in a time zone (the comune's calendar), as `YYYY-MM-DD`. */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** Easter Sunday of `year` (Gregorian calendar, anonymous algorithm). */
function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return format({ year, month, day });
}

/**
 * Whether `date` is a national holiday in Italy (L. 260/1949 and later laws): New Year, Epiphany,
 * Easter Monday, Liberation Day, Labour Day, Republic Day, Assumption, All Saints, Immaculate
 * Conception, Christmas, St Stephen, and St Francis (4 October, again a holiday from 2026).
 * The comune's patron saint is not counted.
 */
export function isNationalHoliday(date: IsoDate): boolean {
  const { year } = parse(date);
  const monthDay = date.slice(5);
  const fixed = ['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26'];
  if (fixed.includes(monthDay)) return true;
  if (year >= 2026 && monthDay === '10-04') return true;
  return date === addDays(easterSunday(year), 1);
}

/** Whether an office works on `date`: Monday to Friday, national holidays excepted. */
export function isWorkingDay(date: IsoDate): boolean {
  const weekday = new Date(toUtc(date)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !isNationalHoliday(date);
}

/** The `days`-th working day after `date` (the day itself is not counted). */
export function addWorkingDays(date: IsoDate, days: number): IsoDate {
  let day = date;
  for (let left = days; left > 0;) {
    day = addDays(day, 1);
    if (isWorkingDay(day)) left -= 1;
  }
  return day;
}
