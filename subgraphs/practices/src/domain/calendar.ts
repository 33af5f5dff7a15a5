import type { OpeningHours } from '../entities/appointment.entity.js';

/**
 * Slot arithmetic in an office's time zone. Opening hours are local wall-clock times; slots are
 * stored and exchanged as instants.
 */

const dateParts = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = dateParts.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    dateParts.set(timeZone, format);
  }
  return format;
}

/** Minutes the zone is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - (instant.getTime() - instant.getMilliseconds())) / 60_000);
}

/** The instant of a local day and time (`2026-03-02`, `09:30`) in `timeZone`. */
export function zonedInstant(day: string, time: string, timeZone: string): Date {
  const naive = Date.parse(`${day}T${time}:00Z`);
  const first = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  // A second pass settles days when the offset changes (daylight saving).
  return new Date(naive - offsetMinutes(new Date(first), timeZone) * 60_000);
}

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(instant: Date, timeZone: string): string {
  const parts = formatter(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * Whether `value` is a real calendar day written `YYYY-MM-DD`. `Date.parse` alone is not enough: it
 * rolls "2026-02-31" over to 3 March.
 */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** `day` plus `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** ISO weekday of a day: 1 Monday ... 7 Sunday. */
export function isoWeekday(day: string): number {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

export interface Slot {
  startsAt: Date;
  endsAt: Date;
}

/** What slot generation needs of a calendar. */
export interface SlotRules {
  openingHours: readonly OpeningHours[];
  closedDays: readonly string[];
  slotMinutes: number;
  timeZone: string;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const timeOf = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The slots of one local day: each opening period cut into slots that end by closing time. */
export function slotsOfDay(rules: SlotRules, day: string): Slot[] {
  if (rules.closedDays.includes(day)) return [];
  const weekday = isoWeekday(day);
  const slots: Slot[] = [];
  for (const period of rules.openingHours.filter((hours) => hours.weekday === weekday)) {
    const closes = minutesOf(period.closes);
    for (
      let start = minutesOf(period.opens);
      start + rules.slotMinutes <= closes;
      start += rules.slotMinutes
    ) {
      slots.push({
        startsAt: zonedInstant(day, timeOf(start), rules.timeZone),
        endsAt: zonedInstant(day, timeOf(start + rules.slotMinutes), rules.timeZone),
      });
    }
  }
  return slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/** The slot that starts exactly at `startsAt`, if the calendar has one. */
export function slotAt(rules: SlotRules, startsAt: Date): Slot | undefined {
  return slotsOfDay(rules, localDay(startsAt, rules.timeZone)).find(
    (slot) => slot.startsAt.getTime() === startsAt.getTime(),
  );
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Problems with opening hours, as messages (empty when they are fine). */
export function checkOpeningHours(hours: readonly OpeningHours[]): string[] {
  return hours.flatMap((period, i) => {
    const problems: string[] = [];
    if (!Number.isInteger(period.weekday) || period.weekday < 1 || period.weekday > 7) {
      problems.push(`openingHours[${i}].weekday must be 1 (Monday) to 7 (Sunday)`);
    }
    if (!HHMM.test(period.opens) || !HHMM.test(period.closes) || period.opens >= period.closes) {
      problems.push(`openingHours[${i}] must open before it closes, as HH:MM`);
    }
    return problems;
  });
}
