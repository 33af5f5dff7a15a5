/**
 * Loads what the open-data feeds publish, from the comune's database, and renders it.
 */
import type { EntityManager } from '@sportello/platform';
import { activeAlerts, areaOf, findAlert } from '../domain/alert-operations.js';
import { emergencyNumbers, listEmergencyAreas } from '../domain/emergency-area-operations.js';
import { loadZones } from '../domain/zones.js';
import type { Alert } from '../entities/alert.entity.js';
import { renderCapAlert, renderCapIndex, type CapAlertSource, type CapContext } from './cap.js';
import { renderEmergencyAreas, type EmergencyAreaCollection } from './geojson.js';

/** How the comune signs its feeds. */
export interface FeedPublisher {
  comune: string;
  comuneName: string;
  /** CAP sender, e.g. `protezione-civile.001272@sportello.example`. */
  sender: string;
  /** Absolute base URL the feeds are reached at, e.g. `https://sportello.example`. */
  baseUrl: string;
}

/** Path of the Atom index of active alerts. */
export const ALERTS_INDEX_PATH = '/feeds/alerts.atom';
/** Path of one alert's CAP document; the alert id goes in the `id` query parameter. */
export const ALERT_CAP_PATH = '/feeds/alert.cap.xml';
/** Path of the GeoJSON FeatureCollection of emergency areas. */
export const EMERGENCY_AREAS_PATH = '/feeds/emergency-areas.geojson';

/** URL of an alert's CAP document. */
export function alertCapUrl(baseUrl: string, comune: string, alertId: string): string {
  const url = new URL(ALERT_CAP_PATH, baseUrl);
  url.searchParams.set('id', alertId);
  url.searchParams.set('comune', comune);
  return url.toString();
}

function capSource(alert: Alert): CapAlertSource {
  return {
    id: alert.id,
    comune: alert.comune,
    status: alert.status,
    hazard: alert.hazard,
    colour: alert.colour,
    phase: alert.phase ?? null,
    area: areaOf(alert),
    validFrom: alert.validFrom,
    validUntil: alert.validUntil,
    headline: alert.headline ?? null,
    instructions: alert.instructions,
    bulletinReference: alert.bulletinReference ?? null,
    cancelReason: alert.cancelReason ?? null,
    messageTimes: alert.messageTimes.map((time) => new Date(time)),
  };
}

async function capContext(em: EntityManager, publisher: FeedPublisher, alertId: string): Promise<CapContext> {
  const zones = await loadZones(em);
  const own = (await emergencyNumbers(em)).find((entry) => !entry.national);
  return {
    sender: publisher.sender,
    senderName: `Comune di ${publisher.comuneName} - Protezione civile`,
    comuneName: publisher.comuneName,
    zones: zones.map((zone) => ({
      code: zone.code,
      name: zone.name,
      regionalAlertZone: zone.regionalAlertZone ?? null,
    })),
    web: alertCapUrl(publisher.baseUrl, publisher.comune, alertId),
    contact: own === undefined ? null : `${own.label}: ${own.number}`,
  };
}

/** The latest CAP message about an alert (any status), or `null` when there is no such alert. */
export async function alertCapDocument(
  em: EntityManager,
  publisher: FeedPublisher,
  alertId: string,
): Promise<string | null> {
  const alert = await findAlert(em, alertId);
  if (alert === null) return null;
  return renderCapAlert(capSource(alert), await capContext(em, publisher, alert.id));
}

/** The Atom index of the active alerts. */
export async function alertsIndexDocument(
  em: EntityManager,
  publisher: FeedPublisher,
  now: Date,
): Promise<string> {
  const alerts = await activeAlerts(em, now);
  const latest = alerts.flatMap((alert) => alert.messageTimes.map((time) => new Date(time).getTime()));
  const self = new URL(ALERTS_INDEX_PATH, publisher.baseUrl);
  self.searchParams.set('comune', publisher.comune);
  return renderCapIndex(
    alerts.map((alert) => ({
      alert: capSource(alert),
      capUrl: alertCapUrl(publisher.baseUrl, publisher.comune, alert.id),
    })),
    {
      selfUrl: self.toString(),
      comuneName: publisher.comuneName,
      senderName: `Comune di ${publisher.comuneName} - Protezione civile`,
      updated: latest.length === 0 ? now : new Date(Math.max(...latest)),
    },
  );
}

/** Every emergency area as GeoJSON. */
export async function emergencyAreasDocument(em: EntityManager): Promise<EmergencyAreaCollection> {
  const areas = await listEmergencyAreas(em);
  return renderEmergencyAreas(
    areas.map((area) => ({
      id: area.id,
      code: area.code,
      name: area.name,
      kind: area.kind,
      latitude: Number(area.latitude),
      longitude: Number(area.longitude),
      capacity: area.capacity ?? null,
      address: area.address ?? null,
      zoneCode: area.zoneCode ?? null,
    })),
  );
}
