import { describe, expect, it } from 'vitest';
import { boundingBox, capPolygons, isClosed, readZoneCollection, signedArea } from './zone-geometry.js';

/** A square around Bra (CN), drawn clockwise: the winding RFC 7946 does not want for an exterior. */
const CLOCKWISE: Array<[number, number]> = [
  [7.85, 44.69],
  [7.85, 44.7],
  [7.86, 44.7],
  [7.86, 44.69],
  [7.85, 44.69],
];
/** A hole in it, drawn counterclockwise. */
const HOLE_CCW: Array<[number, number]> = [
  [7.852, 44.692],
  [7.858, 44.692],
  [7.858, 44.698],
  [7.852, 44.698],
  [7.852, 44.692],
];

function collection(...features: unknown[]) {
  return { type: 'FeatureCollection', features };
}

function zone(code: string, geometry: unknown, properties: Record<string, unknown> = {}) {
  return { type: 'Feature', properties: { code, name: `Zona ${code}`, ...properties }, geometry };
}

describe('reading zones from GeoJSON', () => {
  it('rewinds rings to the right-hand rule: exteriors counterclockwise, holes clockwise', () => {
    const read = readZoneCollection(
      collection(zone('centro', { type: 'Polygon', coordinates: [CLOCKWISE, HOLE_CCW] })),
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const [exterior, hole] = (read.zones[0]!.geometry as { coordinates: Array<Array<[number, number]>> })
      .coordinates;
    expect(signedArea(exterior!)).toBeGreaterThan(0);
    expect(signedArea(hole!)).toBeLessThan(0);
    expect(isClosed(exterior!) && isClosed(hole!)).toBe(true);
  });

  it('keeps every polygon of a MultiPolygon and the regional alert zone', () => {
    const shifted = CLOCKWISE.map(([lon, lat]) => [lon + 0.02, lat] as [number, number]);
    const read = readZoneCollection(
      collection(
        zone(
          'fiume',
          { type: 'MultiPolygon', coordinates: [[CLOCKWISE], [shifted]] },
          { regionalAlertZone: 'Piem-M', description: 'Golena del Tanaro' },
        ),
      ),
    );
    expect(read).toMatchObject({
      ok: true,
      zones: [{ code: 'fiume', regionalAlertZone: 'Piem-M', description: 'Golena del Tanaro' }],
    });
    if (!read.ok) return;
    expect(capPolygons(read.zones[0]!.geometry)).toHaveLength(2);
    expect(boundingBox([read.zones[0]!.geometry])).toEqual([7.85, 44.69, 7.88, 44.7]);
  });

  it('refuses open rings, too few positions, latitude first, points and duplicate codes, naming each', () => {
    const open = CLOCKWISE.slice(0, 4);
    const latFirst = CLOCKWISE.map(([lon, lat]) => [lat, lon + 100]);
    const read = readZoneCollection(
      collection(
        zone('a', { type: 'Polygon', coordinates: [open] }),
        zone('b', { type: 'Polygon', coordinates: [[CLOCKWISE[0]!, CLOCKWISE[1]!, CLOCKWISE[0]!]] }),
        zone('c', { type: 'Polygon', coordinates: [latFirst] }),
        zone('d', { type: 'Point', coordinates: [7.85, 44.69] }),
        zone('a', { type: 'Polygon', coordinates: [CLOCKWISE] }),
        {
          type: 'Feature',
          properties: { name: 'senza codice' },
          geometry: { type: 'Polygon', coordinates: [CLOCKWISE] },
        },
      ),
    );
    expect(read.ok).toBe(false);
    if (read.ok) return;
    const byField = Object.fromEntries(read.violations.map((v) => [v.field, v.message]));
    expect(byField['features[0].geometry.coordinates[0]']).toMatch(/not closed/);
    expect(byField['features[1].geometry.coordinates[0]']).toMatch(/at least four positions/);
    expect(byField['features[2].geometry.coordinates[0]']).toMatch(/longitude first/);
    expect(byField['features[3].geometry.type']).toMatch(/Polygon or MultiPolygon/);
    expect(byField['features[4].properties.code']).toMatch(/appears twice/);
    expect(byField['features[5].properties.code']).toMatch(/needs a code/);
  });

  it('writes CAP polygons as lat,lon pairs, closed', () => {
    const read = readZoneCollection(
      collection(zone('centro', { type: 'Polygon', coordinates: [CLOCKWISE] })),
    );
    if (!read.ok) throw new Error('expected a valid collection');
    const [polygon] = capPolygons(read.zones[0]!.geometry);
    const pairs = polygon!.split(' ');
    expect(pairs).toHaveLength(5);
    expect(pairs[0]).toBe('44.69,7.85');
    expect(pairs.at(-1)).toBe(pairs[0]);
  });
});
