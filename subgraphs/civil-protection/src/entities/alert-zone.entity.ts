import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import type { ZoneGeometry } from '../domain/zone-geometry.js';

/**
 * A zone of the comune's territory used to address alerts. Its `code` is the contract with
 * anagrafe: every residence carries the code of the zone it lies in, so the notifier can page
 * the residents of an alert's zones.
 */
export const AlertZoneEntity = defineEntity({
  name: 'AlertZone',
  tableName: 'alert_zone',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    code: p.string().length(50),
    name: p.string().length(200),
    /** The regional alert zone (one of the 133 national ones, e.g. `Ven-B`) this zone falls in. */
    regionalAlertZone: p.string().length(50).nullable(),
    description: p.text().nullable(),
    /** Its shape (GeoJSON Polygon or MultiPolygon, right-hand rule, `[lon, lat]`); null until imported. */
    geometry: p.json<ZoneGeometry>().nullable(),
  },
  uniques: [{ properties: ['comune', 'code'] }],
});
export type AlertZone = InferEntity<typeof AlertZoneEntity>;
