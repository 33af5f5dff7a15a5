/**
 * Emergency areas of the comune's civil protection plan and the nearest-area search.
 */
import type { RuleViolation } from './alert.js';

/**
 * Kinds of area in a civil protection plan: waiting areas (attesa) where people gather first,
 * assistance areas (assistenza) that host them, staging areas (ammassamento) for rescuers,
 * landing zones for helicopters.
 */
export const EMERGENCY_AREA_KINDS = ['waiting', 'assistance', 'staging', 'landing'] as const;
export type EmergencyAreaKind = (typeof EMERGENCY_AREA_KINDS)[number];

/** A point in WGS84 decimal degrees. */
export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/** Mean Earth radius (IUGG), the usual choice for haversine distances. */
const EARTH_RADIUS_METERS = 6_371_008.8;

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in metres (haversine formula). */
export function haversineMeters(from: GeoPoint, to: GeoPoint): number {
  const dLat = toRadians(to.latitude - from.latitude);
  const dLon = toRadians(to.longitude - from.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(from.latitude)) * Math.cos(toRadians(to.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Violations of a point's coordinates, named after `prefix` (e.g. `latitude`). */
export function checkPoint(point: GeoPoint, prefix = ''): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (!Number.isFinite(point.latitude) || point.latitude < -90 || point.latitude > 90) {
    violations.push({ field: `${prefix}latitude`, message: 'latitude must be between -90 and 90' });
  }
  if (!Number.isFinite(point.longitude) || point.longitude < -180 || point.longitude > 180) {
    violations.push({ field: `${prefix}longitude`, message: 'longitude must be between -180 and 180' });
  }
  return violations;
}

/** Upper bound of `limit` in a nearest-area search. */
export const MAX_NEAREST_LIMIT = 50;

/** An item and its distance from the query point. */
export interface Ranked<T> {
  item: T;
  distanceMeters: number;
}

/**
 * The `limit` items closest to `origin`, nearest first (ties by input order). Linear in the number
 * of areas with a bounded insertion list, which is plenty for a plan's few hundred areas.
 */
export function nearest<T extends GeoPoint>(
  items: Iterable<T>,
  origin: GeoPoint,
  limit: number,
): Ranked<T>[] {
  const best: Ranked<T>[] = [];
  if (limit <= 0) {
    return best;
  }
  for (const item of items) {
    const distanceMeters = haversineMeters(origin, item);
    if (best.length === limit && distanceMeters >= best[best.length - 1]!.distanceMeters) {
      continue;
    }
    let index = best.length;
    while (index > 0 && best[index - 1]!.distanceMeters > distanceMeters) {
      index -= 1;
    }
    best.splice(index, 0, { item, distanceMeters });
    if (best.length > limit) {
      best.pop();
    }
  }
  return best;
}

/** National emergency numbers, always listed before the comune's own. */
export const NATIONAL_EMERGENCY_NUMBERS = [
  { number: '112', label: 'Numero Unico di Emergenza (NUE)' },
  { number: '113', label: 'Polizia di Stato' },
  { number: '115', label: 'Vigili del Fuoco' },
  { number: '118', label: 'Emergenza sanitaria' },
] as const;
