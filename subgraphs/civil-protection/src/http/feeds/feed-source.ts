/**
 * Loads what the open-data feeds publish, from the comune's database, and renders it.
 */
import type { EntityManager } from '@sportello/platform';
import { areaOf, findAlert, indexedAlerts } from '../../domain/alert-operations.js';
import {
  emergencyNumbers,
  listEmergencyAreas,
  publishedEmergencyArea,
} from '../../domain/emergency-area-operations.js';
import { documentsByOrdinance } from '../../domain/ordinance-documents.js';
import { listOrdinances } from '../../domain/ordinance-operations.js';
import { formatOrdinanceNumber } from '../../domain/ordinance.js';
import { loadZones } from '../../domain/zones.js';
import type { Alert } from '../../entities/alert.entity.js';
import { OrdinanceEntity } from '../../entities/ordinance.entity.js';
import { renderCapAlert, renderCapIndex, type CapAlertSource, type CapContext } from './cap.js';
import {
  alertCapUrl,
  alertPageUrl,
  alertsIndexUrl,
  ordinanceDocumentUrl,
  ordinancePageUrl,
  ordinancesIndexUrl,
} from './feed-urls.js';
import {
  renderAlertZones,
  renderEmergencyAreas,
  type AlertZoneCollection,
  type EmergencyAreaCollection,
} from './geojson.js';
import { renderOrdinancesIndex } from './ordinance-feed.js';

export {
  ALERT_CAP_PATH,
  ALERT_ZONES_PATH,
  ALERTS_INDEX_PATH,
  EMERGENCY_AREAS_PATH,
  ORDINANCE_DOCUMENT_PATH,
  ORDINANCES_INDEX_PATH,
} from './feed-urls.js';

/** How the comune signs its feeds. */
export interface FeedPublisher {
  comune: string;
  comuneName: string;
  /** CAP sender, e.g. `protezione-civile.001272@sportello.example`. */
  sender: string;
  /** The public origin the feeds are reached at (`PUBLIC_URL`), e.g. `https://sportello.example`. */
  baseUrl: string;
}

/** Ordinances the feed lists: the latest ones, as an Albo Pretorio page would. */
export const ORDINANCES_IN_FEED = 100;

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
      geometry: zone.geometry ?? null,
    })),
    web: alertPageUrl(publisher.baseUrl, alertId),
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

/**
 * The Atom index: active alerts and cancelled ones until they would have ended, so the CAP Cancel
 * reaches every reader that polls within the alert's window.
 */
export async function alertsIndexDocument(
  em: EntityManager,
  publisher: FeedPublisher,
  now: Date,
): Promise<string> {
  const alerts = await indexedAlerts(em, now);
  const latest = alerts.flatMap((alert) => alert.messageTimes.map((time) => new Date(time).getTime()));
  return renderCapIndex(
    alerts.map((alert) => ({
      alert: capSource(alert),
      capUrl: alertCapUrl(publisher.baseUrl, publisher.comune, alert.id),
      pageUrl: alertPageUrl(publisher.baseUrl, alert.id),
    })),
    {
      selfUrl: alertsIndexUrl(publisher.baseUrl, publisher.comune),
      comuneName: publisher.comuneName,
      senderName: `Comune di ${publisher.comuneName} - Protezione civile`,
      updated: latest.length === 0 ? now : new Date(Math.max(...latest)),
    },
  );
}

/** Every emergency area as GeoJSON. */
export async function emergencyAreasDocument(em: EntityManager): Promise<EmergencyAreaCollection> {
  return renderEmergencyAreas((await listEmergencyAreas(em)).map(publishedEmergencyArea));
}

/** The comune's alert zones as GeoJSON. */
export async function alertZonesDocument(em: EntityManager): Promise<AlertZoneCollection> {
  return renderAlertZones(
    (await loadZones(em)).map((zone) => ({
      code: zone.code,
      name: zone.name,
      regionalAlertZone: zone.regionalAlertZone ?? null,
      description: zone.description ?? null,
      geometry: zone.geometry ?? null,
    })),
  );
}

/** The Atom feed of the latest published ordinances, their documents as enclosures. */
export async function ordinancesIndexDocument(
  em: EntityManager,
  publisher: FeedPublisher,
  now: Date,
): Promise<string> {
  const ordinances = (await listOrdinances(em, { includeDrafts: false }, now)).slice(0, ORDINANCES_IN_FEED);
  const documents = await documentsByOrdinance(
    em,
    ordinances.map((ordinance) => ordinance.id),
  );
  const zoneNames = new Map((await loadZones(em)).map((zone) => [zone.code, zone.name]));
  const correctedIds = ordinances.flatMap((ordinance) => ordinance.correctsId ?? []);
  const corrected = new Map(
    (correctedIds.length === 0 ? [] : await em.find(OrdinanceEntity, { id: { $in: correctedIds } })).map(
      (row) => [row.id, formatOrdinanceNumber(row.number ?? 0, row.year ?? 0)],
    ),
  );
  const published = ordinances.flatMap((ordinance) => ordinance.publishedAt ?? []);
  return renderOrdinancesIndex(
    ordinances.map((ordinance) => ({
      id: ordinance.id,
      comune: ordinance.comune,
      reference: formatOrdinanceNumber(ordinance.number ?? 0, ordinance.year ?? 0),
      subject: ordinance.subject,
      legalBasis: ordinance.legalBasis,
      measures: ordinance.measures,
      publishedAt: ordinance.publishedAt ?? ordinance.createdAt,
      adoptedOn: ordinance.adoptedOn ?? null,
      effectiveFrom: ordinance.effectiveFrom,
      effectiveUntil: ordinance.effectiveUntil ?? null,
      area:
        ordinance.scopeKind === 'whole-comune'
          ? `intero territorio del Comune di ${publisher.comuneName}`
          : ordinance.scopeKind === 'zones'
            ? ordinance.zoneCodes.map((code) => zoneNames.get(code) ?? code).join(', ')
            : ordinance.streets.join(', '),
      pageUrl: ordinancePageUrl(publisher.baseUrl, ordinance.id),
      documents: (documents.get(ordinance.id) ?? []).map((document) => ({
        title: document.title,
        url: ordinanceDocumentUrl(publisher.baseUrl, ordinance.comune, document.id),
        mediaType: document.mediaType,
        bytes: document.bytes,
        sha256: document.sha256,
      })),
      corrects: ordinance.correctsId ? (corrected.get(ordinance.correctsId) ?? null) : null,
    })),
    {
      selfUrl: ordinancesIndexUrl(publisher.baseUrl, publisher.comune),
      comuneName: publisher.comuneName,
      updated: published.length === 0 ? now : new Date(Math.max(...published.map((date) => date.getTime()))),
    },
  );
}
