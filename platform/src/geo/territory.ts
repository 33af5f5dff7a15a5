/**
 * A comune's territory as GeoJSON (RFC 7946: `[longitude, latitude]`, WGS84), and whether a point
 * lies in it. Pure functions; no I/O.
 */

/** A position: `[longitude, latitude]`. */
export type GeoPosition = readonly [number, number] | readonly number[];

/** One polygon (outer ring, then holes) or several (a comune with an exclave). */
export type TerritoryGeometry =
  | { type: 'Polygon'; coordinates: ReadonlyArray<ReadonlyArray<GeoPosition>> }
  | { type: 'MultiPolygon'; coordinates: ReadonlyArray<ReadonlyArray<ReadonlyArray<GeoPosition>>> };

/** Whether a point is inside a ring (ray casting; a point on an edge may fall either side). */
function inRing(ring: ReadonlyArray<GeoPosition>, longitude: number, latitude: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > latitude !== yj > latitude && longitude < ((xj - xi) * (latitude - yi)) / (yj - yi) + xi) {
      inside = !inside;
    }
  }
  return inside;
}

/**
 * Whether `[longitude, latitude]` lies in the territory: inside the outer ring of one of its
 * polygons and in none of that polygon's holes. At a comune's scale the plane of the coordinates
 * is precise enough.
 */
export function isInTerritory(geometry: TerritoryGeometry, longitude: number, latitude: number): boolean {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.some(
    ([outer, ...holes]) =>
      outer !== undefined &&
      inRing(outer, longitude, latitude) &&
      !holes.some((hole) => inRing(hole, longitude, latitude)),
  );
}
