/**
 * The shapes of the comune's alert zones, as GeoJSON (RFC 7946): checked when imported, stored
 * normalised (right-hand rule, closed rings, six decimals), served back as a FeatureCollection and
 * written into CAP areas. Pure functions; no I/O.
 */
import type { RuleViolation } from './alert.js';

/** A position: `[longitude, latitude]`, WGS84 decimal degrees, as RFC 7946 orders them. */
export type Position = [number, number];
/** A closed ring: at least four positions, the last equal to the first. */
export type LinearRing = Position[];

/** The geometry of a zone: one polygon, or several (a zone split by a river, an exclave). */
export type ZoneGeometry =
  { type: 'Polygon'; coordinates: LinearRing[] } | { type: 'MultiPolygon'; coordinates: LinearRing[][] };

/** A zone as an import describes it. */
export interface ImportedZone {
  code: string;
  name: string;
  regionalAlertZone: string | null;
  description: string | null;
  geometry: ZoneGeometry;
}

/** Longest import accepted, in features and positions: a comune has a handful of zones. */
export const MAX_IMPORTED_ZONES = 200;
export const MAX_IMPORTED_POSITIONS = 200_000;
/** Decimals kept: about 10 cm, what RFC 7946 §11.2 suggests is plenty. */
const DECIMALS = 6;

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/**
 * Where a comune's zones can lie: Italy's bounding box (Lampedusa 35.49 N to Vetta d'Italia
 * 47.09 N, 6.62 E in the western Alps to Punta Palascìa 18.52 E), a little rounded out. A zone at
 * (0, 0), in Sydney or with latitude and longitude swapped is a broken file, not a territory.
 */
export const ITALY_BOUNDS = { longitude: [6.6, 18.6], latitude: [35.4, 47.1] } as const;

/** Whether a position lies inside {@link ITALY_BOUNDS}. */
export function isInItaly([lon, lat]: readonly [number, number, ...number[]]): boolean {
  return (
    lon >= ITALY_BOUNDS.longitude[0] &&
    lon <= ITALY_BOUNDS.longitude[1] &&
    lat >= ITALY_BOUNDS.latitude[0] &&
    lat <= ITALY_BOUNDS.latitude[1]
  );
}

function round(value: number): number {
  const factor = 10 ** DECIMALS;
  return Math.round(value * factor) / factor;
}

/**
 * Twice the signed area of a ring in the plane of its coordinates (shoelace formula): positive
 * when the ring runs counterclockwise, negative when clockwise.
 */
export function signedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

/** Whether a ring's last position repeats its first. */
export function isClosed(ring: readonly Position[]): boolean {
  const first = ring[0];
  const last = ring.at(-1);
  return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
}

/** A ring turned the way RFC 7946 §3.1.6 wants: exteriors counterclockwise, holes clockwise. */
function wound(ring: LinearRing, exterior: boolean): LinearRing {
  const counterclockwise = signedArea(ring) > 0;
  return counterclockwise === exterior ? ring : [...ring].reverse();
}

function isPosition(value: unknown): value is [number, number, ...number[]] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((coordinate) => typeof coordinate === 'number' && Number.isFinite(coordinate))
  );
}

/** Reads the rings of one polygon; adds a violation per problem, naming where it is. */
function readPolygon(value: unknown, where: string, violations: RuleViolation[]): LinearRing[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    violations.push({ field: where, message: 'a polygon is a non-empty list of rings' });
    return null;
  }
  const rings: LinearRing[] = [];
  for (const [r, rawRing] of value.entries()) {
    const at = `${where}[${r}]`;
    if (!Array.isArray(rawRing) || !rawRing.every(isPosition)) {
      violations.push({ field: at, message: 'a ring is a list of [longitude, latitude] positions' });
      return null;
    }
    const ring = rawRing.map(([lon, lat]) => [round(lon), round(lat)] as Position);
    const outside = ring.find(([lon, lat]) => lon < -180 || lon > 180 || lat < -90 || lat > 90);
    if (outside !== undefined) {
      violations.push({
        field: at,
        message: `position [${outside.join(', ')}] is not [longitude, latitude] in degrees (longitude first)`,
      });
      return null;
    }
    const abroad = ring.find((position) => !isInItaly(position));
    if (abroad !== undefined) {
      const { longitude, latitude } = ITALY_BOUNDS;
      violations.push({
        field: at,
        message:
          `position [${abroad.join(', ')}] is outside Italy (longitude ${longitude[0]} to ${longitude[1]}, ` +
          `latitude ${latitude[0]} to ${latitude[1]}): check the coordinates are WGS84 degrees, longitude first`,
        reason: 'OUTSIDE_ITALY',
      });
      return null;
    }
    if (ring.length < 4) {
      violations.push({
        field: at,
        message: 'a ring needs at least four positions, the last equal to the first',
      });
      return null;
    }
    if (!isClosed(ring)) {
      violations.push({
        field: at,
        message: 'the ring is not closed: its last position must equal its first',
      });
      return null;
    }
    if (signedArea(ring) === 0) {
      violations.push({ field: at, message: 'the ring encloses no area' });
      return null;
    }
    rings.push(wound(ring, r === 0));
  }
  return rings;
}

/**
 * Checks and normalises a GeoJSON geometry of a zone: a Polygon or a MultiPolygon whose rings are
 * closed, hold at least four positions and enclose an area. Rings are rewound to the right-hand
 * rule (RFC 7946 says parsers should not reject the other winding) and rounded to six decimals.
 */
export function readZoneGeometry(
  value: unknown,
  where: string,
  violations: RuleViolation[],
): ZoneGeometry | null {
  const geometry = value as { type?: unknown; coordinates?: unknown } | null;
  if (geometry === null || typeof geometry !== 'object') {
    violations.push({ field: where, message: 'a zone needs a Polygon or MultiPolygon geometry' });
    return null;
  }
  if (geometry.type === 'Polygon') {
    const rings = readPolygon(geometry.coordinates, `${where}.coordinates`, violations);
    return rings === null ? null : { type: 'Polygon', coordinates: rings };
  }
  if (geometry.type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) {
      violations.push({
        field: `${where}.coordinates`,
        message: 'a MultiPolygon is a non-empty list of polygons',
      });
      return null;
    }
    const polygons: LinearRing[][] = [];
    for (const [p, polygon] of geometry.coordinates.entries()) {
      const rings = readPolygon(polygon, `${where}.coordinates[${p}]`, violations);
      if (rings === null) return null;
      polygons.push(rings);
    }
    return { type: 'MultiPolygon', coordinates: polygons };
  }
  violations.push({
    field: `${where}.type`,
    message: `a zone is an area: Polygon or MultiPolygon, not ${String(geometry.type)}`,
  });
  return null;
}

/** How many positions (arrays of numbers) a value holds, stopping early past the limit. */
function countPositions(value: unknown, limit = MAX_IMPORTED_POSITIONS): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      if (typeof item[0] === 'number') count += 1;
      else stack.push(...(item as unknown[]));
    } else if (item !== null && typeof item === 'object') {
      stack.push(...Object.values(item));
    }
  }
  return count;
}

function optionalText(value: unknown, max: number): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed.length > max ? undefined : trimmed;
}

/**
 * Reads a GeoJSON FeatureCollection of zones: one Feature per zone, `properties.code` (the code
 * anagrafe stores on residences), `properties.name`, optionally `properties.regionalAlertZone`
 * (e.g. `Piem-M`) and `properties.description`, and a Polygon or MultiPolygon geometry. Returns the
 * normalised zones, or every violation found.
 */
export function readZoneCollection(
  value: unknown,
): { ok: true; zones: ImportedZone[] } | { ok: false; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const collection = value as { type?: unknown; features?: unknown } | null;
  if (collection === null || typeof collection !== 'object' || collection.type !== 'FeatureCollection') {
    return { ok: false, violations: [{ field: 'type', message: 'expected a GeoJSON FeatureCollection' }] };
  }
  if (!Array.isArray(collection.features) || collection.features.length === 0) {
    return { ok: false, violations: [{ field: 'features', message: 'the collection holds no feature' }] };
  }
  if (collection.features.length > MAX_IMPORTED_ZONES) {
    return {
      ok: false,
      violations: [{ field: 'features', message: `at most ${MAX_IMPORTED_ZONES} zones in one import` }],
    };
  }
  if (countPositions(collection.features) > MAX_IMPORTED_POSITIONS) {
    return {
      ok: false,
      violations: [
        { field: 'features', message: `at most ${MAX_IMPORTED_POSITIONS} positions in one import` },
      ],
    };
  }
  const zones: ImportedZone[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of collection.features.entries()) {
    const where = `features[${i}]`;
    const feature = raw as { type?: unknown; properties?: unknown; geometry?: unknown } | null;
    if (feature === null || typeof feature !== 'object' || feature.type !== 'Feature') {
      violations.push({ field: where, message: 'expected a GeoJSON Feature' });
      continue;
    }
    const properties = (feature.properties ?? {}) as Record<string, unknown>;
    const code = typeof properties['code'] === 'string' ? properties['code'].trim() : '';
    if (!CODE.test(code)) {
      violations.push({
        field: `${where}.properties.code`,
        message: 'each zone needs a code: letters, digits, ".", "_" or "-", 50 characters at most',
      });
    } else if (seen.has(code)) {
      violations.push({ field: `${where}.properties.code`, message: `zone ${code} appears twice` });
    }
    seen.add(code);
    const name = optionalText(properties['name'], 200);
    if (name === null || name === undefined) {
      violations.push({
        field: `${where}.properties.name`,
        message: 'each zone needs a name (200 characters at most)',
      });
    }
    const regional = optionalText(properties['regionalAlertZone'], 50);
    if (regional === undefined) {
      violations.push({
        field: `${where}.properties.regionalAlertZone`,
        message: 'the regional alert zone is a code such as Piem-M (50 characters at most)',
      });
    }
    const description = optionalText(properties['description'], 2000);
    if (description === undefined) {
      violations.push({
        field: `${where}.properties.description`,
        message: 'description: 2000 characters at most',
      });
    }
    const geometry = readZoneGeometry(feature.geometry, `${where}.geometry`, violations);
    if (geometry !== null && name && regional !== undefined && description !== undefined) {
      zones.push({ code, name, regionalAlertZone: regional, description, geometry });
    }
  }
  return violations.length > 0 ? { ok: false, violations } : { ok: true, zones };
}

/** The polygons of a geometry, each as its rings (exterior first). */
export function polygonsOf(geometry: ZoneGeometry): LinearRing[][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** `[west, south, east, north]` of some geometries, or `null` when there is none. */
export function boundingBox(geometries: readonly ZoneGeometry[]): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  for (const geometry of geometries) {
    for (const polygon of polygonsOf(geometry)) {
      for (const [lon, lat] of polygon[0] ?? []) {
        box =
          box === null
            ? [lon, lat, lon, lat]
            : [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
      }
    }
  }
  return box;
}

/**
 * The exterior rings of a geometry as CAP 1.2 `<polygon>` values: `lat,lon` pairs separated by
 * spaces, first and last equal. CAP has no holes, so an area with a hole is announced whole: a
 * warning may cover a little more than the zone, never less.
 */
export function capPolygons(geometry: ZoneGeometry): string[] {
  return polygonsOf(geometry).map((rings) => (rings[0] ?? []).map(([lon, lat]) => `${lat},${lon}`).join(' '));
}
