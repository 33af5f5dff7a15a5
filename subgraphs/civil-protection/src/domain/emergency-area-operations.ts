import type { EntityManager } from '@sportello/platform';
import {
  EmergencyAreaEntity,
  EmergencyNumberEntity,
  type EmergencyArea,
} from '../entities/emergency-area.entity.js';
import { invalidInput } from '../errors.js';
import {
  MAX_NEAREST_LIMIT,
  NATIONAL_EMERGENCY_NUMBERS,
  checkPoint,
  nearest,
  type EmergencyAreaKind,
  type GeoPoint,
  type Ranked,
} from './emergency-area.js';

/** What is published of an emergency area (GraphQL, GeoJSON): the plan's row without its comune. */
export interface PublishedEmergencyArea {
  id: string;
  code: string;
  name: string;
  kind: EmergencyAreaKind;
  /** WGS84 decimal degrees. */
  latitude: number;
  longitude: number;
  capacity: number | null;
  address: string | null;
  zoneCode: string | null;
}

/** An area row as it is published, coordinates as numbers and what it lacks as null. */
export function publishedEmergencyArea(area: EmergencyArea): PublishedEmergencyArea {
  return {
    id: area.id,
    code: area.code,
    name: area.name,
    kind: area.kind,
    latitude: Number(area.latitude),
    longitude: Number(area.longitude),
    capacity: area.capacity ?? null,
    address: area.address ?? null,
    zoneCode: area.zoneCode ?? null,
  };
}

/** The comune's emergency areas, optionally of one kind, by code. */
export async function listEmergencyAreas(
  em: EntityManager,
  kind?: EmergencyAreaKind | null,
): Promise<EmergencyArea[]> {
  return em.find(EmergencyAreaEntity, kind === undefined || kind === null ? {} : { kind }, {
    orderBy: { code: 'asc' },
  });
}

/**
 * The areas nearest to a point, by great-circle distance. The plan has at most a few hundred
 * areas, so they are ranked in memory after one indexed query on the comune (and kind).
 *
 * @throws BadUserInputError for coordinates out of range or a limit outside 1..50
 */
export async function nearestEmergencyAreas(
  em: EntityManager,
  origin: GeoPoint,
  options: { kind?: EmergencyAreaKind | null; limit: number },
): Promise<Ranked<EmergencyArea>[]> {
  const violations = checkPoint(origin);
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_NEAREST_LIMIT) {
    violations.push({ field: 'limit', message: `limit must be between 1 and ${MAX_NEAREST_LIMIT}` });
  }
  if (violations.length > 0) throw invalidInput(violations, 'arguments');
  const areas = (await listEmergencyAreas(em, options.kind)).map((area) => ({
    area,
    latitude: Number(area.latitude),
    longitude: Number(area.longitude),
  }));
  return nearest(areas, origin, options.limit).map(({ item, distanceMeters }) => ({
    item: item.area,
    distanceMeters,
  }));
}

/** An emergency number as listed to the public. */
export interface EmergencyNumberListing {
  number: string;
  label: string;
  national: boolean;
}

/** The national numbers (112 NUE, 113, 115, 118) followed by the comune's own. */
export async function emergencyNumbers(em: EntityManager): Promise<EmergencyNumberListing[]> {
  const own = await em.find(EmergencyNumberEntity, {}, { orderBy: { position: 'asc' } });
  return [
    ...NATIONAL_EMERGENCY_NUMBERS.map((entry) => ({ ...entry, national: true })),
    ...own.map((entry) => ({ number: entry.number, label: entry.label, national: false })),
  ];
}
