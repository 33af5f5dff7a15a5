import { isActive, isCritical, isInEffect } from '../domain/alert.js';
import { alertTitle } from '../domain/labels.js';
import type { AlertZone } from '../entities/alert-zone.entity.js';
import type { Alert } from '../entities/alert.entity.js';
import { AlertType, AlertZoneType } from './alert.type.js';

/** Public path of an alert's CAP document. */
export function capPathOf(alertId: string): string {
  return `/feeds/alerts/${alertId}.cap.xml`;
}

/** The public view of an alert at `now` (status EXPIRED is derived here). */
export function toAlertType(alert: Alert, now: Date): AlertType {
  const timing = { status: alert.status, validFrom: alert.validFrom, validUntil: alert.validUntil };
  return Object.assign(new AlertType(), {
    id: alert.id,
    hazard: alert.hazard,
    colour: alert.colour,
    status: alert.status === 'cancelled' ? 'cancelled' : isActive(timing, now) ? 'active' : 'expired',
    critical: isCritical(alert.colour),
    inEffect: isInEffect(timing, now),
    wholeComune: alert.wholeComune,
    zoneCodes: [...alert.zoneCodes],
    validFrom: alert.validFrom,
    validUntil: alert.validUntil,
    phase: alert.phase ?? null,
    headline: alert.headline ?? alertTitle(alert.colour, alert.hazard),
    instructions: alert.instructions,
    bulletinReference: alert.bulletinReference ?? null,
    issuedAt: alert.issuedAt,
    updatedAt: alert.updatedAt,
    cancelledAt: alert.cancelledAt ?? null,
    cancelReason: alert.cancelReason ?? null,
    capPath: capPathOf(alert.id),
  });
}

export function toAlertZoneType(zone: AlertZone): AlertZoneType {
  return Object.assign(new AlertZoneType(), {
    code: zone.code,
    name: zone.name,
    regionalAlertZone: zone.regionalAlertZone ?? null,
  });
}
