import type { Template } from '../document.js';
import { formatDate, formatDateTime } from '../formatting.js';

/** Data of an `ordinance-published` message (mirrors the civil-protection event). */
export interface OrdinancePublishedData {
  /** Number/year, e.g. `12/2025`. */
  number: string;
  subject: string;
  adoptedOn: string;
  effectiveFrom: string;
  effectiveUntil?: string;
  /** What the ordinance orders, one line each (e.g. "schools closed"). */
  measures: string[];
  /** Territorial scope in words (whole comune, streets, areas). */
  area?: string;
  url: string;
}

/** Data of an `alert-issued` message (mirrors the civil-protection event). */
export interface AlertIssuedData {
  colour: 'yellow' | 'orange' | 'red';
  risk: string;
  zone: string;
  validFrom: string;
  validUntil: string;
  bulletin?: string;
  /** What to do, one line each. */
  instructions?: string[];
  url: string;
}

export const ordinancePublished: Template<OrdinancePublishedData> = {
  it: (d, c) => ({
    severity: 'warning',
    subject: `Ordinanza n. ${d.number}: ${d.subject}`,
    heading: `${c.comuneName}: ordinanza n. ${d.number}`,
    paragraphs: [d.subject, ...(d.measures.length > 0 ? [`Misure disposte: ${d.measures.join('; ')}.`] : [])],
    facts: [
      { label: 'Adottata il', value: formatDate(d.adoptedOn, 'it') },
      {
        label: 'In vigore',
        value: d.effectiveUntil
          ? `dal ${formatDate(d.effectiveFrom, 'it')} al ${formatDate(d.effectiveUntil, 'it')}`
          : `dal ${formatDate(d.effectiveFrom, 'it')}`,
      },
      ...(d.area ? [{ label: 'Dove', value: d.area }] : []),
    ],
    action: { label: "Leggi l'ordinanza", url: d.url },
  }),
  en: (d, c) => ({
    severity: 'warning',
    subject: `Ordinance no. ${d.number}: ${d.subject}`,
    heading: `${c.comuneName}: ordinance no. ${d.number}`,
    paragraphs: [
      d.subject,
      ...(d.measures.length > 0 ? [`Measures ordered: ${d.measures.join('; ')}.`] : []),
    ],
    facts: [
      { label: 'Adopted on', value: formatDate(d.adoptedOn, 'en') },
      {
        label: 'In force',
        value: d.effectiveUntil
          ? `from ${formatDate(d.effectiveFrom, 'en')} to ${formatDate(d.effectiveUntil, 'en')}`
          : `from ${formatDate(d.effectiveFrom, 'en')}`,
      },
      ...(d.area ? [{ label: 'Where', value: d.area }] : []),
    ],
    action: { label: 'Read the ordinance', url: d.url },
  }),
  de: (d, c) => ({
    severity: 'warning',
    subject: `Verordnung Nr. ${d.number}: ${d.subject}`,
    heading: `${c.comuneName}: Verordnung Nr. ${d.number}`,
    paragraphs: [
      d.subject,
      ...(d.measures.length > 0 ? [`Angeordnete Maßnahmen: ${d.measures.join('; ')}.`] : []),
    ],
    facts: [
      { label: 'Erlassen am', value: formatDate(d.adoptedOn, 'de') },
      {
        label: 'Gültig',
        value: d.effectiveUntil
          ? `vom ${formatDate(d.effectiveFrom, 'de')} bis ${formatDate(d.effectiveUntil, 'de')}`
          : `ab ${formatDate(d.effectiveFrom, 'de')}`,
      },
      ...(d.area ? [{ label: 'Wo', value: d.area }] : []),
    ],
    action: { label: 'Verordnung lesen', url: d.url },
  }),
};

const COLOUR = {
  it: { yellow: 'gialla', orange: 'arancione', red: 'ROSSA' },
  en: { yellow: 'yellow', orange: 'orange', red: 'RED' },
  de: { yellow: 'gelbe', orange: 'orange', red: 'ROTE' },
} as const;

export const alertIssued: Template<AlertIssuedData> = {
  it: (d, c) => ({
    severity: d.colour === 'red' ? 'critical' : 'warning',
    subject:
      d.colour === 'red'
        ? `ALLERTA ROSSA ${d.risk}: pericolo elevato`
        : `Allerta ${COLOUR.it[d.colour]} per ${d.risk}`,
    heading:
      d.colour === 'red'
        ? `ALLERTA ROSSA – ${c.comuneName}`
        : `Allerta ${COLOUR.it[d.colour]} – ${c.comuneName}`,
    paragraphs: [
      d.colour === 'red'
        ? `Criticità ELEVATA per ${d.risk}. Pericolo per la vita: evita gli spostamenti non necessari e segui le indicazioni della protezione civile.`
        : `Criticità ${d.colour === 'orange' ? 'moderata' : 'ordinaria'} per ${d.risk}. Tieniti informato e fai attenzione.`,
      ...(d.instructions ?? []),
    ],
    facts: [
      { label: 'Zona', value: d.zone },
      {
        label: 'Validità',
        value: `dal ${formatDateTime(d.validFrom, 'it')} al ${formatDateTime(d.validUntil, 'it')}`,
      },
      ...(d.bulletin ? [{ label: 'Bollettino', value: d.bulletin }] : []),
    ],
    action: { label: "Dettagli dell'allerta", url: d.url },
  }),
  en: (d, c) => ({
    severity: d.colour === 'red' ? 'critical' : 'warning',
    subject:
      d.colour === 'red'
        ? `RED ALERT ${d.risk}: high danger`
        : `${COLOUR.en[d.colour][0]!.toUpperCase()}${COLOUR.en[d.colour].slice(1)} alert for ${d.risk}`,
    heading:
      d.colour === 'red' ? `RED ALERT – ${c.comuneName}` : `${COLOUR.en[d.colour]} alert – ${c.comuneName}`,
    paragraphs: [
      d.colour === 'red'
        ? `HIGH risk of ${d.risk}. Danger to life: avoid all unnecessary travel and follow civil protection instructions.`
        : `${d.colour === 'orange' ? 'Moderate' : 'Ordinary'} risk of ${d.risk}. Stay informed and take care.`,
      ...(d.instructions ?? []),
    ],
    facts: [
      { label: 'Zone', value: d.zone },
      {
        label: 'Valid',
        value: `from ${formatDateTime(d.validFrom, 'en')} to ${formatDateTime(d.validUntil, 'en')}`,
      },
      ...(d.bulletin ? [{ label: 'Bulletin', value: d.bulletin }] : []),
    ],
    action: { label: 'Alert details', url: d.url },
  }),
  de: (d, c) => ({
    severity: d.colour === 'red' ? 'critical' : 'warning',
    subject:
      d.colour === 'red'
        ? `ALARMSTUFE ROT ${d.risk}: hohe Gefahr`
        : `Warnstufe ${d.colour === 'yellow' ? 'Gelb' : 'Orange'}: ${d.risk}`,
    heading:
      d.colour === 'red'
        ? `ALARMSTUFE ROT – ${c.comuneName}`
        : `Warnung: ${COLOUR.de[d.colour]} Stufe – ${c.comuneName}`,
    paragraphs: [
      d.colour === 'red'
        ? `HOHE Gefahr durch ${d.risk}. Lebensgefahr: vermeiden Sie unnötige Wege und folgen Sie den Anweisungen des Zivilschutzes.`
        : `${d.colour === 'orange' ? 'Mäßige' : 'Normale'} Gefahr durch ${d.risk}. Bleiben Sie informiert und seien Sie vorsichtig.`,
      ...(d.instructions ?? []),
    ],
    facts: [
      { label: 'Zone', value: d.zone },
      {
        label: 'Gültig',
        value: `vom ${formatDateTime(d.validFrom, 'de')} bis ${formatDateTime(d.validUntil, 'de')}`,
      },
      ...(d.bulletin ? [{ label: 'Bulletin', value: d.bulletin }] : []),
    ],
    action: { label: 'Details zur Warnung', url: d.url },
  }),
};
