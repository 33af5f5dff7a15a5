import { describe, expect, it } from 'vitest';
import { civilDate, zonedInstant } from '@sportello/platform';
import { slotAt, slotsOfDay } from './slots.js';

const rules = {
  openingHours: [
    { weekday: 1, opens: '09:00', closes: '12:30' },
    { weekday: 1, opens: '15:00', closes: '16:00' },
    { weekday: 3, opens: '09:00', closes: '10:00' },
  ],
  closedDays: ['2026-06-01'],
  slotMinutes: 30,
  timeZone: 'Europe/Rome',
};

describe('office calendar slots', () => {
  it('cuts opening hours into slots in local time, across daylight saving', () => {
    // 2026-01-05 is a Monday in winter (UTC+1); 2026-07-06 a Monday in summer (UTC+2).
    const winter = slotsOfDay(rules, '2026-01-05');
    expect(winter).toHaveLength(9);
    expect(winter[0]!.startsAt.toISOString()).toBe('2026-01-05T08:00:00.000Z');
    expect(winter.at(-1)!.endsAt.toISOString()).toBe('2026-01-05T15:00:00.000Z');
    expect(slotsOfDay(rules, '2026-07-06')[0]!.startsAt.toISOString()).toBe('2026-07-06T07:00:00.000Z');
  });

  it('has no slots on closed days and other weekdays, and finds a slot by its start only', () => {
    expect(slotsOfDay(rules, '2026-06-01')).toEqual([]);
    expect(slotsOfDay(rules, '2026-01-06')).toEqual([]);
    expect(slotAt(rules, zonedInstant('2026-01-07', '09:30', 'Europe/Rome'))).toBeDefined();
    expect(slotAt(rules, zonedInstant('2026-01-07', '09:15', 'Europe/Rome'))).toBeUndefined();
    expect(civilDate(new Date('2026-01-04T23:30:00Z'), 'Europe/Rome')).toBe('2026-01-05');
  });
});
