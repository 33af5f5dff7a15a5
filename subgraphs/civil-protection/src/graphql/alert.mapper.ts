import { isActive, isCritical, isInEffect } from '../domain/alert.js';
import { alertTitle } from '../domain/labels.js';
import type { AlertZone } from '../entities/alert-zone.entity.js';
import type { Alert } from '../entities/alert.entity.js';
import { alertCapUrl, alertPageUrl } from '../http/feeds/feed-urls.js';
import { AlertType, AlertZoneType } from './alert.type.js';

/** The public view of an alert at `now` (status EXPIRED is derived here); links on `publicUrl`. */
export function toAlertType(alert: Alert, now: Date, publicUrl: string): AlertType {
  const capUrl = alertCapUrl(publicUrl, alert.comune, alert.id);
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
    announceExpiry: alert.announceExpiry,
    capPath: ((url) => `${url.pathname}${url.search}`)(new URL(capUrl)),
    capUrl,
    pageUrl: alertPageUrl(publicUrl, alert.id),
  });
}

export function toAlertZoneType(zone: AlertZone): AlertZoneType {
  return Object.assign(new AlertZoneType(), {
    code: zone.code,
    name: zone.name,
    regionalAlertZone: zone.regionalAlertZone ?? null,
    description: zone.description ?? null,
    geometry: zone.geometry ?? null,
  });
}
