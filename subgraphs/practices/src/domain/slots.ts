import { civilDate, isoWeekday, zonedInstant } from '@sportello/platform';
import type { OpeningHours } from '../entities/appointment.entity.js';

/**
 * An office's appointment slots. Opening hours are local wall-clock times in the office's time
 * zone; slots are stored and exchanged as instants. Days and instants are converted by the
 * platform's civil calendar.
 */

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
  return slotsOfDay(rules, civilDate(startsAt, rules.timeZone)).find(
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
