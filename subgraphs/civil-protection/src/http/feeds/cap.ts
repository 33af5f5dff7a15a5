/**
 * Alerts as Common Alerting Protocol 1.2 (OASIS) documents, and the Atom index that lists them.
 *
 * Every message about an alert (issue, each update, the cancellation) is one CAP `<alert>` with
 * its own identifier `<alertId>.<n>`; an update or cancellation lists the earlier messages in
 * `<references>`, as CAP asks. The feed serves the latest message of each alert.
 */
import type { AlertArea, AlertColour, AlertStatus, Hazard, OperationalPhase } from '../../domain/alert.js';
import { COLOUR_LABELS_IT, HAZARD_LABELS_IT, PHASE_LABELS_IT, alertTitle } from '../../domain/labels.js';
import { capPolygons, type ZoneGeometry } from '../../domain/zone-geometry.js';
import { capDateTime, element, escapeXml } from './xml.js';

/** The CAP 1.2 namespace. */
export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';
/** Media type of a CAP document. */
export const CAP_CONTENT_TYPE = 'application/cap+xml; charset=utf-8';
/** Media type of the Atom index. */
export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
type CapUrgency = 'Immediate' | 'Expected' | 'Future' | 'Past';
type CapCertainty = 'Likely' | 'Possible' | 'Unlikely';
type CapResponseType = 'Execute' | 'Prepare' | 'Monitor' | 'None' | 'AllClear';

/** How a colour reads in CAP terms; a cancellation turns urgency to Past. */
export const COLOUR_TO_CAP: Record<
  AlertColour,
  { severity: CapSeverity; urgency: CapUrgency; certainty: CapCertainty }
> = {
  red: { severity: 'Extreme', urgency: 'Immediate', certainty: 'Likely' },
  orange: { severity: 'Severe', urgency: 'Expected', certainty: 'Likely' },
  yellow: { severity: 'Moderate', urgency: 'Expected', certainty: 'Possible' },
  green: { severity: 'Minor', urgency: 'Future', certainty: 'Unlikely' },
};

/** What the comune asks of people in each phase, as a CAP responseType. */
const PHASE_TO_RESPONSE: Record<OperationalPhase, CapResponseType> = {
  attention: 'Monitor',
  'pre-alarm': 'Prepare',
  alarm: 'Execute',
};

/** Landslides and avalanches are geophysical; the rest are meteorological. */
const HAZARD_TO_CATEGORY: Record<Hazard, 'Geo' | 'Met'> = {
  hydrogeological: 'Geo',
  avalanches: 'Geo',
  hydraulic: 'Met',
  thunderstorms: 'Met',
  wind: 'Met',
  snow: 'Met',
  ice: 'Met',
  'storm-surge': 'Met',
  coastal: 'Met',
};

/** The alert as the CAP renderer needs it. */
export interface CapAlertSource {
  id: string;
  comune: string;
  status: AlertStatus;
  hazard: Hazard;
  colour: AlertColour;
  phase: OperationalPhase | null;
  area: AlertArea;
  validFrom: Date;
  validUntil: Date;
  headline: string | null;
  instructions: string;
  bulletinReference: string | null;
  cancelReason: string | null;
  /** When each message about the alert was sent, oldest first: issue, updates, cancellation. */
  messageTimes: readonly Date[];
}

/** A zone of the comune, to describe the alert's area. */
export interface CapZone {
  code: string;
  name: string;
  /** Code of the regional alert zone the comune's zone falls in (e.g. `Ven-B`), when known. */
  regionalAlertZone: string | null;
  /** Its shape, when imported: the area then carries its polygons. */
  geometry?: ZoneGeometry | null;
}

/** Who publishes and how to describe places. */
export interface CapContext {
  /** CAP sender: no spaces, commas or `<&` (e.g. `protezione-civile.023091@example.it`). */
  sender: string;
  /** e.g. `Comune di Verona - Protezione civile`. */
  senderName: string;
  comuneName: string;
  /** Every zone of the comune; the alert's codes are looked up here. */
  zones: readonly CapZone[];
  /** Public page of the alert (absolute URL), when the comune has one. */
  web?: string | null;
  /** The comune's own emergency number, shown as contact. */
  contact?: string | null;
  /** @default 'Europe/Rome' */
  timeZone?: string;
}

/** The CAP identifier of the n-th message (1-based) about an alert. */
export function capIdentifier(alertId: string, messageNumber: number): string {
  return `${alertId}.${messageNumber}`;
}

function formatLocal(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('it-IT', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

function describe(alert: CapAlertSource, context: CapContext, timeZone: string): string {
  const sentences = [
    `${alertTitle(alert.colour, alert.hazard)} dal ${formatLocal(alert.validFrom, timeZone)} al ${formatLocal(alert.validUntil, timeZone)}.`,
  ];
  if (alert.phase !== null) {
    sentences.push(
      `Il Comune di ${context.comuneName} attiva la fase operativa di ${PHASE_LABELS_IT[alert.phase]}.`,
    );
  }
  if (alert.bulletinReference !== null) {
    sentences.push(`Riferimento: ${alert.bulletinReference}.`);
  }
  return sentences.join(' ');
}

function renderArea(alert: CapAlertSource, context: CapContext, indent: string): string {
  const byCode = new Map(context.zones.map((zone) => [zone.code, zone]));
  const codes = alert.area.wholeComune ? [] : alert.area.zoneCodes;
  const areaDesc = alert.area.wholeComune
    ? `Intero territorio del Comune di ${context.comuneName}`
    : `Comune di ${context.comuneName}: ${codes.map((code) => byCode.get(code)?.name ?? code).join(', ')}`;
  const geocodes: Array<[string, string]> = [['ISTAT', alert.comune]];
  for (const code of codes) {
    geocodes.push(['SPORTELLO_ZONE', code]);
  }
  const concerned = alert.area.wholeComune ? context.zones : codes.flatMap((code) => byCode.get(code) ?? []);
  for (const regional of new Set(concerned.flatMap((zone) => zone.regionalAlertZone ?? []))) {
    geocodes.push(['ZONA_ALLERTA', regional]);
  }
  // The union of the zones' shapes: CAP reads several polygons of one area as the area they cover.
  const polygons = concerned.flatMap((zone) => (zone.geometry ? capPolygons(zone.geometry) : []));
  const inner = `${indent}  `;
  return (
    `${indent}<area>\n` +
    element('areaDesc', areaDesc, inner) +
    polygons.map((polygon) => element('polygon', polygon, inner)).join('') +
    geocodes
      .map(
        ([name, value]) =>
          `${inner}<geocode>\n${element('valueName', name, `${inner}  `)}${element('value', value, `${inner}  `)}${inner}</geocode>\n`,
      )
      .join('') +
    `${indent}</area>\n`
  );
}

function pair(tag: string, name: string, value: string, indent: string): string {
  return `${indent}<${tag}>\n${element('valueName', name, `${indent}  `)}${element('value', value, `${indent}  `)}${indent}</${tag}>\n`;
}

/**
 * Renders the latest message about an alert as a CAP 1.2 `<alert>` document: `Alert` for the
 * first message, `Update` after changes, `Cancel` once cancelled.
 *
 * @throws Error when the alert has no message time (it was never issued).
 */
export function renderCapAlert(alert: CapAlertSource, context: CapContext): string {
  const timeZone = context.timeZone ?? 'Europe/Rome';
  const count = alert.messageTimes.length;
  const sent = alert.messageTimes[count - 1];
  if (sent === undefined) {
    throw new Error(`alert ${alert.id} has no message time: it was never issued`);
  }
  const cancelled = alert.status === 'cancelled';
  const msgType = cancelled ? 'Cancel' : count === 1 ? 'Alert' : 'Update';
  const references = alert.messageTimes
    .slice(0, -1)
    .map(
      (time, index) =>
        `${context.sender},${capIdentifier(alert.id, index + 1)},${capDateTime(time, timeZone)}`,
    )
    .join(' ');
  const cap = COLOUR_TO_CAP[alert.colour];
  const responseType: CapResponseType = cancelled
    ? 'AllClear'
    : alert.phase === null
      ? 'None'
      : PHASE_TO_RESPONSE[alert.phase];
  const i = '    ';
  const headline = alert.headline ?? alertTitle(alert.colour, alert.hazard);
  const info =
    `  <info>\n` +
    element('language', 'it-IT', i) +
    element('category', HAZARD_TO_CATEGORY[alert.hazard], i) +
    element('event', `Rischio ${HAZARD_LABELS_IT[alert.hazard]}`, i) +
    element('responseType', responseType, i) +
    element('urgency', cancelled ? 'Past' : cap.urgency, i) +
    element('severity', cap.severity, i) +
    element('certainty', cap.certainty, i) +
    element('audience', `Popolazione del Comune di ${context.comuneName}`, i) +
    pair('eventCode', 'SPORTELLO_HAZARD', alert.hazard, i) +
    element('effective', capDateTime(sent, timeZone), i) +
    element('onset', capDateTime(alert.validFrom, timeZone), i) +
    element('expires', capDateTime(alert.validUntil, timeZone), i) +
    element('senderName', context.senderName, i) +
    element('headline', cancelled ? `Revocata: ${headline}` : headline, i) +
    element('description', describe(alert, context, timeZone), i) +
    element('instruction', cancelled ? (alert.cancelReason ?? 'Allerta revocata.') : alert.instructions, i) +
    element('web', context.web ?? null, i) +
    element('contact', context.contact ?? null, i) +
    pair('parameter', 'COLORE', COLOUR_LABELS_IT[alert.colour], i) +
    (alert.phase === null ? '' : pair('parameter', 'FASE_OPERATIVA', PHASE_LABELS_IT[alert.phase], i)) +
    (alert.bulletinReference === null ? '' : pair('parameter', 'BOLLETTINO', alert.bulletinReference, i)) +
    renderArea(alert, context, i) +
    `  </info>\n`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<alert xmlns="${CAP_NAMESPACE}">\n` +
    element('identifier', capIdentifier(alert.id, count), '  ') +
    element('sender', context.sender, '  ') +
    element('sent', capDateTime(sent, timeZone), '  ') +
    element('status', 'Actual', '  ') +
    element('msgType', msgType, '  ') +
    element('scope', 'Public', '  ') +
    element('note', cancelled ? alert.cancelReason : null, '  ') +
    element('references', references === '' ? null : references, '  ') +
    info +
    `</alert>\n`
  );
}

/** One entry of the Atom index. */
export interface CapIndexEntry {
  alert: CapAlertSource;
  /** Absolute URL of the alert's CAP document. */
  capUrl: string;
  /** Absolute URL of the alert's public page, when there is one. */
  pageUrl?: string | null;
}

/**
 * The Atom 1.0 index of alerts, one entry per alert linking its latest CAP message
 * (`rel="alternate" type="application/cap+xml"`), the layout CAP aggregators poll. The entry id
 * is the CAP identifier of that message, so an update or a cancellation is a new entry to readers.
 * Colour and hazard are Atom categories, for readers that filter.
 */
export function renderCapIndex(
  entries: readonly CapIndexEntry[],
  feed: { selfUrl: string; comuneName: string; senderName: string; updated: Date },
): string {
  const entryXml = entries
    .map(({ alert, capUrl, pageUrl }) => {
      const count = alert.messageTimes.length;
      const sent = alert.messageTimes[count - 1] ?? feed.updated;
      const first = alert.messageTimes[0] ?? sent;
      const title = alert.headline ?? alertTitle(alert.colour, alert.hazard);
      const cancelled = alert.status === 'cancelled';
      const summary = cancelled
        ? `Allerta revocata${alert.cancelReason ? `: ${alert.cancelReason}` : '.'}`
        : alert.instructions;
      return (
        `  <entry>\n` +
        element('id', `urn:sportello:${alert.comune}:alert:${capIdentifier(alert.id, count)}`, '    ') +
        element(
          'title',
          cancelled ? `Revocata: ${title}` : count > 1 ? `Aggiornamento: ${title}` : title,
          '    ',
        ) +
        element('published', first.toISOString(), '    ') +
        element('updated', sent.toISOString(), '    ') +
        element('summary', summary, '    ') +
        `    <category scheme="urn:sportello:alert:colour" term="${alert.colour}" label="${escapeXml(COLOUR_LABELS_IT[alert.colour])}"/>\n` +
        `    <category scheme="urn:sportello:alert:hazard" term="${alert.hazard}" label="${escapeXml(HAZARD_LABELS_IT[alert.hazard])}"/>\n` +
        `    <link rel="alternate" type="application/cap+xml" href="${escapeXml(capUrl)}"/>\n` +
        (pageUrl ? `    <link rel="related" type="text/html" href="${escapeXml(pageUrl)}"/>\n` : '') +
        `  </entry>\n`
      );
    })
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<feed xmlns="http://www.w3.org/2005/Atom">\n` +
    element('id', feed.selfUrl, '  ') +
    element('title', `Comune di ${feed.comuneName} - allerte di protezione civile`, '  ') +
    element('updated', feed.updated.toISOString(), '  ') +
    `  <author>\n${element('name', feed.senderName, '    ')}  </author>\n` +
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(feed.selfUrl)}"/>\n` +
    entryXml +
    `</feed>\n`
  );
}
