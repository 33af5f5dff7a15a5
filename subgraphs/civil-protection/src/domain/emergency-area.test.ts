import { describe, expect, it } from 'vitest';
import { checkPoint, haversineMeters, nearest } from './emergency-area.js';

describe('haversineMeters', () => {
  it('measures known distances', () => {
    const rome = { latitude: 41.9028, longitude: 12.4964 };
    const milan = { latitude: 45.4642, longitude: 9.19 };
    expect(haversineMeters(rome, milan) / 1000).toBeCloseTo(477, 0);
    // One degree of latitude is about 111.2 km.
    expect(haversineMeters({ latitude: 45, longitude: 11 }, { latitude: 46, longitude: 11 })).toBeCloseTo(
      111_195,
      -2,
    );
    expect(haversineMeters(rome, rome)).toBe(0);
  });
});

describe('nearest', () => {
  it('returns the same areas, in the same order, as sorting every distance', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const areas = Array.from({ length: 400 }, (_, index) => ({
      index,
      latitude: 45.4 + random() * 0.1,
      longitude: 11.0 + random() * 0.1,
    }));
    const origin = { latitude: 45.45, longitude: 11.05 };
    const expected = areas
      .map((area) => ({ index: area.index, d: haversineMeters(origin, area) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 7)
      .map((a) => a.index);
    const found = nearest(areas, origin, 7);
    expect(found.map((ranked) => ranked.item.index)).toEqual(expected);
    expect(found[0]!.distanceMeters).toBeLessThanOrEqual(found[6]!.distanceMeters);
    expect(nearest(areas, origin, 0)).toEqual([]);
    expect(nearest(areas.slice(0, 3), origin, 10)).toHaveLength(3);
  });
});

describe('checkPoint', () => {
  it('names the coordinate out of range', () => {
    expect(checkPoint({ latitude: 91, longitude: 0 })).toEqual([
      { field: 'latitude', message: 'latitude must be between -90 and 90' },
    ]);
    expect(checkPoint({ latitude: 0, longitude: Number.NaN }, 'near.')[0]?.field).toBe('near.longitude');
  });
});
