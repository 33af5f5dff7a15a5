/**
 * Where everything civil protection publishes lives on the public origin (`PUBLIC_URL`, the
 * gateway's). The gateway forwards every path under `/feeds/` to this service; the portal pages
 * are under `/portale/`. Links are absolute, so a copy of a feed still points home.
 */

/** Path of the Atom index of alerts (active ones, and cancellations until they would have ended). */
export const ALERTS_INDEX_PATH = '/feeds/alerts.atom';
/** Path of one alert's CAP document; the alert id goes in the `id` query parameter. */
export const ALERT_CAP_PATH = '/feeds/alert.cap.xml';
/** Path of the GeoJSON FeatureCollection of the alert zones. */
export const ALERT_ZONES_PATH = '/feeds/alert-zones.geojson';
/** Path of the GeoJSON FeatureCollection of emergency areas. */
export const EMERGENCY_AREAS_PATH = '/feeds/emergency-areas.geojson';
/** Path of the Atom feed of published ordinances (the Albo Pretorio's civil-protection acts). */
export const ORDINANCES_INDEX_PATH = '/feeds/ordinances.atom';
/** Path of a published ordinance's document; the document id goes in the `id` query parameter. */
export const ORDINANCE_DOCUMENT_PATH = '/feeds/ordinance-document.pdf';

function at(publicUrl: string, path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return `${publicUrl.replace(/\/+$/, '')}${path}${search === '' ? '' : `?${search}`}`;
}

/** The Atom index of a comune's alerts. */
export function alertsIndexUrl(publicUrl: string, comune: string): string {
  return at(publicUrl, ALERTS_INDEX_PATH, { comune });
}

/** The CAP document of an alert (its latest message). */
export function alertCapUrl(publicUrl: string, comune: string, alertId: string): string {
  return at(publicUrl, ALERT_CAP_PATH, { id: alertId, comune });
}

/** The GeoJSON of a comune's alert zones. */
export function alertZonesUrl(publicUrl: string, comune: string): string {
  return at(publicUrl, ALERT_ZONES_PATH, { comune });
}

/** The GeoJSON of a comune's emergency areas. */
export function emergencyAreasUrl(publicUrl: string, comune: string): string {
  return at(publicUrl, EMERGENCY_AREAS_PATH, { comune });
}

/** The Atom feed of a comune's published ordinances. */
export function ordinancesIndexUrl(publicUrl: string, comune: string): string {
  return at(publicUrl, ORDINANCES_INDEX_PATH, { comune });
}

/** A published ordinance's document. */
export function ordinanceDocumentUrl(publicUrl: string, comune: string, documentId: string): string {
  return at(publicUrl, ORDINANCE_DOCUMENT_PATH, { id: documentId, comune });
}

/** The portal page of an alert, where residents read it (the notifier links the same page). */
export function alertPageUrl(publicUrl: string, alertId: string): string {
  return at(publicUrl, `/portale/protezione-civile/allerte/${encodeURIComponent(alertId)}`, {});
}

/** The portal page of an ordinance. */
export function ordinancePageUrl(publicUrl: string, ordinanceId: string): string {
  return at(publicUrl, `/portale/ordinanze/${encodeURIComponent(ordinanceId)}`, {});
}
