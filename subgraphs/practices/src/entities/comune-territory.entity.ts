import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type TerritoryGeometry, uuidPrimaryKey } from '@sportello/platform';

/**
 * The comune's territory (its boundary as GeoJSON): a citizen's report must lie in it. One per
 * comune; a comune without one falls back to Italy's bounding box.
 */
export const ComuneTerritoryEntity = defineEntity({
  name: 'ComuneTerritory',
  tableName: 'comune_territory',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    /** The comune's name as citizens know it, for the refusal of a report outside. */
    name: p.string().length(200),
    geometry: p.json<TerritoryGeometry>(),
    updatedAt: p.datetime(),
    /**
     * Raised by every change: a replica keeping the parsed territory between reports reads only this
     * to know whether it still holds the current one.
     */
    version: p.integer().version(),
  },
  uniques: [{ properties: ['comune'] }],
});
export type ComuneTerritory = InferEntity<typeof ComuneTerritoryEntity>;
