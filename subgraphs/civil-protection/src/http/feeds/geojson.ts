/**
 * Emergency areas and alert zones as GeoJSON FeatureCollections (RFC 7946), for any map client.
 */
import type { EmergencyAreaKind } from '../../domain/emergency-area.js';
import type { PublishedEmergencyArea } from '../../domain/emergency-area-operations.js';
import { AREA_KIND_LABELS_IT } from '../../domain/labels.js';
import { boundingBox, type ZoneGeometry } from '../../domain/zone-geometry.js';

/** Media type of GeoJSON. */
export const GEOJSON_CONTENT_TYPE = 'application/geo+json; charset=utf-8';

/** A GeoJSON Point feature of one area. */
export interface EmergencyAreaFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    code: string;
    name: string;
    kind: EmergencyAreaKind;
    kindLabel: string;
    capacity: number | null;
    address: string | null;
    zoneCode: string | null;
  };
}

/** The FeatureCollection served at `/feeds/emergency-areas.geojson`. */
export interface EmergencyAreaCollection {
  type: 'FeatureCollection';
  features: EmergencyAreaFeature[];
}

/** Renders areas as Point features; RFC 7946 orders coordinates longitude first. */
export function renderEmergencyAreas(areas: readonly PublishedEmergencyArea[]): EmergencyAreaCollection {
  return {
    type: 'FeatureCollection',
    features: areas.map((area) => ({
      type: 'Feature',
      id: area.id,
      geometry: { type: 'Point', coordinates: [area.longitude, area.latitude] },
      properties: {
        code: area.code,
        name: area.name,
        kind: area.kind,
        kindLabel: AREA_KIND_LABELS_IT[area.kind],
        capacity: area.capacity,
        address: area.address,
        zoneCode: area.zoneCode,
      },
    })),
  };
}

/** A zone as the GeoJSON renderer needs it. */
export interface GeoJsonZoneSource {
  code: string;
  name: string;
  regionalAlertZone: string | null;
  description: string | null;
  geometry: ZoneGeometry | null;
}

/** A GeoJSON Feature of one alert zone; `geometry` is null for a zone whose shape is not known yet. */
export interface AlertZoneFeature {
  type: 'Feature';
  id: string;
  geometry: ZoneGeometry | null;
  properties: {
    code: string;
    name: string;
    regionalAlertZone: string | null;
    description: string | null;
  };
}

/** The FeatureCollection served at `/feeds/alert-zones.geojson`. */
export interface AlertZoneCollection {
  type: 'FeatureCollection';
  bbox?: [number, number, number, number];
  features: AlertZoneFeature[];
}

/**
 * Renders the comune's alert zones as an RFC 7946 FeatureCollection: `[lon, lat]` positions,
 * exterior rings counterclockwise and holes clockwise (as stored), the feature id being the zone
 * code residences and alerts use, and the collection's `bbox`.
 */
export function renderAlertZones(zones: readonly GeoJsonZoneSource[]): AlertZoneCollection {
  const bbox = boundingBox(zones.flatMap((zone) => zone.geometry ?? []));
  return {
    type: 'FeatureCollection',
    ...(bbox === null ? {} : { bbox }),
    features: zones.map((zone) => ({
      type: 'Feature',
      id: zone.code,
      geometry: zone.geometry,
      properties: {
        code: zone.code,
        name: zone.name,
        regionalAlertZone: zone.regionalAlertZone,
        description: zone.description,
      },
    })),
  };
}
