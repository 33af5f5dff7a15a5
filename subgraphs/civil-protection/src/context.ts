import type { DatabaseRequestContext, EntityManager } from '@sportello/platform';
import { loadZones } from './domain/zones.js';
import type { AlertZone } from './entities/alert-zone.entity.js';

/** The office whose staff manage alerts, ordinances and the plan. */
export const CIVIL_PROTECTION_OFFICE = 'civil-protection';

/**
 * What every civil-protection resolver receives: the platform's request context (verified
 * principal, comune-scoped EntityManager, request id, logger) plus the request's clock and zones.
 */
export interface CivilProtectionContext extends DatabaseRequestContext<EntityManager> {
  /** The request's clock: one instant for every rule checked in the request. */
  now: Date;
  /** The comune's zones, loaded once per request on first use. */
  zones(): Promise<AlertZone[]>;
  /** The public origin (`PUBLIC_URL`): every link a client sees is absolute on it. */
  publicUrl: string;
  /** Tells the service an alert changed (the end-of-alert announcer sets its timer again). */
  alertChanged(): void;
}

/** What the service adds to every request's context. */
export interface CivilProtectionServices {
  publicUrl: string;
  alertChanged?(): void;
}

/** Extends the platform's request context with the request's clock and lazily loaded zones. */
export function createCivilProtectionContext(
  base: DatabaseRequestContext<EntityManager>,
  services: CivilProtectionServices,
  now: Date = new Date(),
): CivilProtectionContext {
  let zones: Promise<AlertZone[]> | undefined;
  return {
    ...base,
    now,
    zones: () => (zones ??= loadZones(base.em)),
    publicUrl: services.publicUrl,
    alertChanged: () => services.alertChanged?.(),
  };
}
