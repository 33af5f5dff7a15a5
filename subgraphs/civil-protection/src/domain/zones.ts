import type { EntityManager } from '@sportello/platform';
import { AlertZoneEntity, type AlertZone } from '../entities/alert-zone.entity.js';

/** The comune's zones, by code. */
export async function loadZones(em: EntityManager): Promise<AlertZone[]> {
  return em.find(AlertZoneEntity, {}, { orderBy: { code: 'asc' } });
}

/** The comune's zone codes, for rule checks. */
export async function zoneCodeSet(em: EntityManager): Promise<Set<string>> {
  return new Set((await loadZones(em)).map((zone) => zone.code));
}
