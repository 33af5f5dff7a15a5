import type { EntityManager } from '@sportello/platform';
import { AlertZoneEntity, type AlertZone } from '../entities/alert-zone.entity.js';
import { invalidInput } from '../errors.js';
import { readZoneCollection } from './zone-geometry.js';

/** The comune's zones, by code. */
export async function loadZones(em: EntityManager): Promise<AlertZone[]> {
  return em.find(AlertZoneEntity, {}, { orderBy: { code: 'asc' } });
}

/** The comune's zone codes, for rule checks. */
export async function zoneCodeSet(em: EntityManager): Promise<Set<string>> {
  return new Set((await loadZones(em)).map((zone) => zone.code));
}

/**
 * Imports the comune's zones from GeoJSON (see {@link readZoneCollection}): a zone already known
 * by its code takes the imported name, regional alert zone, description and shape; a new code is
 * added. Zones left out of the import are kept: residences in anagrafe and past alerts name them.
 *
 * @returns every zone of the comune after the import, by code
 * @throws BadUserInputError listing every problem of the collection; nothing is written then
 */
export async function importZones(
  em: EntityManager,
  comune: string,
  collection: unknown,
): Promise<AlertZone[]> {
  const read = readZoneCollection(collection);
  if (!read.ok) throw invalidInput(read.violations, 'featureCollection');
  return em.transactional(async (tx) => {
    const existing = new Map((await loadZones(tx)).map((zone) => [zone.code, zone]));
    for (const zone of read.zones) {
      const fields = {
        name: zone.name,
        regionalAlertZone: zone.regionalAlertZone,
        description: zone.description,
        geometry: zone.geometry,
      };
      const known = existing.get(zone.code);
      if (known === undefined) tx.create(AlertZoneEntity, { comune, code: zone.code, ...fields });
      else tx.assign(known, fields);
    }
    await tx.flush();
    return loadZones(tx);
  });
}
