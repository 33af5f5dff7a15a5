/**
 * The comune territories reports are checked against, kept between reports. A territory is a
 * GeoJSON boundary of thousands of positions at real scale; reading and parsing it for every report
 * is wasted when it changes a few times in a comune's life.
 *
 * Before each use the cache reads the territory's `version` alone (one integer of one row by its
 * unique key) and keeps what it holds only while that matches: `setComuneTerritory` raises the
 * version with every change, so a change made by any replica applies to the very next report
 * everywhere. A time-to-live would save that small read but let another replica accept, for as long
 * as it lasts, a report the new territory refuses; and the version, unlike `updatedAt`, changes even
 * when two changes carry the same instant.
 */
import type { EntityManager, TerritoryGeometry } from '@sportello/platform';
import { ComuneTerritoryEntity } from '../entities/comune-territory.entity.js';

/** A comune's territory as reports are checked against it. */
export interface Territory {
  /** The comune's name as citizens know it. */
  name: string;
  geometry: TerritoryGeometry;
  version: number;
}

/** The territories read so far, one per comune, each checked against its stored version. */
export interface TerritoryCache {
  /** The comune's current territory, or `null` when none is set. */
  current(em: EntityManager, comune: string): Promise<Territory | null>;
}

/** A cache for one service process (made at start-up, shared by its requests). */
export function createTerritoryCache(): TerritoryCache {
  const byComune = new Map<string, Territory>();
  return {
    async current(em, comune) {
      const held = byComune.get(comune);
      if (held !== undefined) {
        const stored = await em.findOne(
          ComuneTerritoryEntity,
          { comune },
          { fields: ['version'], disableIdentityMap: true },
        );
        if (stored?.version === held.version) return held;
      }
      const row = await em.findOne(ComuneTerritoryEntity, { comune }, { disableIdentityMap: true });
      if (row === null) {
        byComune.delete(comune);
        return null;
      }
      const territory = { name: row.name, geometry: row.geometry, version: row.version };
      byComune.set(comune, territory);
      return territory;
    },
  };
}
