/**
 * The comuni's civil calendar. Birth dates, due dates, expiry dates and deadlines are days
 * (`YYYY-MM-DD`) in the comune's time zone, never instants: mixing the two shifts a day around
 * midnight. Instants are turned into days (and back) only here, in Europe/Rome unless a comune's
 * configuration says otherwise.
 */

/** The time zone of the comuni's calendar: a day, a birthday, "today" are counted here. */
export const CIVIL_TIME_ZONE = 'Europe/Rome';

/** A calendar day written `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

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

/**
 * Whether `value` is a real calendar day written `YYYY-MM-DD`. `Date.parse` alone is not enough: it
 * rolls `2026-02-31` over to 3 March.
 */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Reads a day written `YYYY-MM-DD`, refusing days the calendar lacks (`2026-02-31`).
 * @throws RangeError naming `what` (the argument) when it is not one
 */
export function parseIsoDate(value: string, what = 'date'): IsoDate {
  if (!isIsoDate(value))
    throw new RangeError(`${what} must be a calendar day written YYYY-MM-DD, got "${value}"`);
  return value;
}

function parse(value: IsoDate): Day {
  const [year, month, day] = parseIsoDate(value).split('-').map(Number) as [number, number, number];
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

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts in a zone; one formatter per zone, as building one is slow. */
function wallClock(instant: Date, timeZone: string): Record<string, number> {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = Number(part.value);
  return parts;
}

/** The calendar day of an instant in a time zone (the comune's). */
export function civilDate(at: Date, timeZone: string = CIVIL_TIME_ZONE): IsoDate {
  const wall = wallClock(at, timeZone);
  return format({ year: wall['year']!, month: wall['month']!, day: wall['day']! });
}

/** Today in a time zone (the comune's calendar). */
export function todayIn(timeZone: string = CIVIL_TIME_ZONE, now: Date = new Date()): IsoDate {
  return civilDate(now, timeZone);
}

/** Minutes the zone is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const asUtc = Date.UTC(
    wall['year']!,
    wall['month']! - 1,
    wall['day']!,
    wall['hour']!,
    wall['minute']!,
    wall['second']!,
  );
  return Math.round((asUtc - (instant.getTime() - instant.getMilliseconds())) / 60_000);
}

/**
 * An instant as the zone's wall clock reads it, with seconds and the zone's offset at that instant
 * (RFC 3339): `2026-03-29T03:00:00+02:00`.
 */
export function zonedDateTime(at: Date, timeZone: string = CIVIL_TIME_ZONE): string {
  const wall = wallClock(at, timeZone);
  const two = (value: number) => String(value).padStart(2, '0');
  const offset = offsetMinutes(at, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const day = format({ year: wall['year']!, month: wall['month']!, day: wall['day']! });
  return `${day}T${two(wall['hour']!)}:${two(wall['minute']!)}:${two(wall['second']!)}${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
}

/** The instant of a local day and wall-clock time (`2026-03-02`, `09:30`) in a time zone. */
export function zonedInstant(day: IsoDate, time: string, timeZone: string = CIVIL_TIME_ZONE): Date {
  const naive = Date.parse(`${parseIsoDate(day, 'day')}T${time}:00Z`);
  if (Number.isNaN(naive)) throw new RangeError(`time must be written HH:MM, got "${time}"`);
  const first = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  // A second pass settles days when the offset changes (summer time).
  return new Date(naive - offsetMinutes(new Date(first), timeZone) * 60_000);
}

/** The instant a calendar day starts in a time zone (00:00, summer time or not). */
export function startOfCivilDay(day: IsoDate, timeZone: string = CIVIL_TIME_ZONE): Date {
  return zonedInstant(day, '00:00', timeZone);
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
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

/** ISO weekday of a day: 1 Monday ... 7 Sunday. */
export function isoWeekday(date: IsoDate): number {
  const weekday = new Date(toUtc(date)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
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

/** Age in completed years on the day `on`. */
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
  return isoWeekday(date) <= 5 && !isNationalHoliday(date);
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

/** A day as printed on an Italian notice: `dd/mm/yyyy`. @throws RangeError for a day that is not one */
export function formatItalianDate(date: IsoDate): string {
  const { year, month, day } = parse(date);
  return `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${String(year).padStart(4, '0')}`;
}
