/**
 * Emergency areas as a GeoJSON FeatureCollection (RFC 7946), for any map client.
 */
import type { EmergencyAreaKind } from '../domain/emergency-area.js';
import { AREA_KIND_LABELS_IT } from '../domain/labels.js';

/** Media type of GeoJSON. */
export const GEOJSON_CONTENT_TYPE = 'application/geo+json; charset=utf-8';

/** An emergency area as the GeoJSON renderer needs it. */
export interface GeoJsonAreaSource {
  id: string;
  code: string;
  name: string;
  kind: EmergencyAreaKind;
  latitude: number;
  longitude: number;
  capacity: number | null;
  address: string | null;
  zoneCode: string | null;
}

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
export function renderEmergencyAreas(areas: readonly GeoJsonAreaSource[]): EmergencyAreaCollection {
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
