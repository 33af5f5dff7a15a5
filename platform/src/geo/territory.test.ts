import { describe, expect, it } from 'vitest';
import { isInTerritory, type TerritoryGeometry } from './territory.js';

/** A square town with a park (a hole) in the middle and an exclave to the east. */
const TOWN: TerritoryGeometry = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [7.85, 44.68],
        [7.89, 44.68],
        [7.89, 44.72],
        [7.85, 44.72],
        [7.85, 44.68],
      ],
      [
        [7.865, 44.695],
        [7.865, 44.705],
        [7.875, 44.705],
        [7.875, 44.695],
        [7.865, 44.695],
      ],
    ],
    [
      [
        [7.95, 44.7],
        [7.96, 44.7],
        [7.96, 44.71],
        [7.95, 44.7],
      ],
    ],
  ],
};

describe('a territory', () => {
  it('holds the points inside its polygons, not those in a hole or outside', () => {
    expect(isInTerritory(TOWN, 7.86, 44.69)).toBe(true);
    expect(isInTerritory(TOWN, 7.958, 44.705)).toBe(true);
    expect(isInTerritory(TOWN, 7.87, 44.7)).toBe(false);
    expect(isInTerritory(TOWN, 7.9, 44.7)).toBe(false);
    expect(isInTerritory(TOWN, 0, 0)).toBe(false);
    // Latitude and longitude swapped.
    expect(isInTerritory(TOWN, 44.69, 7.86)).toBe(false);
  });

  it('works on a single polygon', () => {
    const square: TerritoryGeometry = { type: 'Polygon', coordinates: [TOWN.coordinates[0]![0]!] };
    expect(isInTerritory(square, 7.87, 44.7)).toBe(true);
  });
});
