import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './codec.js';
import { EVENT_LANES, laneOf, laneRank, LANES, typesOfLane } from './lanes.js';

describe('lanes', () => {
  it('gives every event type of the catalogue exactly one lane', () => {
    expect(Object.keys(EVENT_LANES).sort()).toEqual([...EVENT_TYPES].sort());
    expect(LANES.flatMap((lane) => typesOfLane(lane)).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('puts alerts first, what a person waits for next, batches last', () => {
    for (const type of ['alert.issued', 'alert.updated', 'alert.cancelled', 'alert.expired'])
      expect(laneOf(type)).toBe('critical');
    for (const type of ['practice.status-changed', 'practice.message-posted', 'payment.received'])
      expect(laneOf(type)).toBe('interactive');
    for (const type of ['payment.due-soon', 'appointment.reminder', 'audit.personal-data-read'])
      expect(laneOf(type)).toBe('bulk');
    expect(laneRank('critical')).toBeLessThan(laneRank('interactive'));
    expect(laneRank('interactive')).toBeLessThan(laneRank('bulk'));
  });

  it('treats a type it does not know as interactive', () => {
    expect(laneOf('something.new')).toBe('interactive');
  });
});
