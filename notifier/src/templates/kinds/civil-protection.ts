import type { Language } from '../../channels/channel.js';
import type { MessageDocument, Template, TemplateContext } from '../document.js';
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
  /** Public URLs of its documents (the signed act as PDF), in order. */
  documents?: string[];
  url: string;
}

/** The documents of an ordinance as facts: `Documento (PDF): <url>`, numbered when several. */
function documentFacts(
  urls: readonly string[] | undefined,
  label: string,
): Array<{ label: string; value: string }> {
  const list = urls ?? [];
  return list.map((url, index) => ({ label: list.length > 1 ? `${label} ${index + 1}` : label, value: url }));
}

/** Alert colours a message can speak of (green only when an alert is lowered to it). */
export type AlertColourWord = 'green' | 'yellow' | 'orange' | 'red';

/** Data of an `alert-issued` message (mirrors the civil-protection event). */
export interface AlertIssuedData {
  colour: 'yellow' | 'orange' | 'red';
  risk: string;
  /** The zones in words: their names, or the whole comune. */
  zone: string;
  validFrom: string;
  validUntil: string;
  bulletin?: string;
  /** The title staff gave the alert, as they wrote it. */
  headline?: string;
  /** What to do, one paragraph each, as staff wrote it. */
  instructions?: string[];
  url: string;
}

/** Data of an `alert-updated` message: the alert as it is now and what it replaces. */
export interface AlertUpdatedData extends Omit<AlertIssuedData, 'colour'> {
  colour: AlertColourWord;
  /** The alert as it stood before this update. */
  replaces?: { colour: AlertColourWord; validFrom: string; validUntil: string };
}

/** Data of an `alert-ended` message: the all-clear of a cancelled alert, or the end of an expired one. */
export interface AlertEndedData {
  reason: 'cancelled' | 'expired';
  /** The colour the alert had when it ended. */
  colour: 'yellow' | 'orange' | 'red';
  risk: string;
  zone: string;
  validFrom: string;
  validUntil: string;
  headline?: string;
  /** Why staff withdrew it. */
  cancelReason?: string;
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
      ...documentFacts(d.documents, 'Documento (PDF)'),
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
      ...documentFacts(d.documents, 'Document (PDF)'),
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
      ...documentFacts(d.documents, 'Dokument (PDF)'),
    ],
    action: { label: 'Verordnung lesen', url: d.url },
  }),
};

const COLOUR = {
  it: { green: 'verde', yellow: 'gialla', orange: 'arancione', red: 'ROSSA' },
  en: { green: 'green', yellow: 'yellow', orange: 'orange', red: 'RED' },
  de: { green: 'grüne', yellow: 'gelbe', orange: 'orange', red: 'ROTE' },
} as const;

/** The colour as a plain adjective, for "the red alert it replaces". */
const COLOUR_PLAIN = {
  it: { green: 'verde', yellow: 'gialla', orange: 'arancione', red: 'rossa' },
  en: { green: 'green', yellow: 'yellow', orange: 'orange', red: 'red' },
  de: { green: 'grüne', yellow: 'gelbe', orange: 'orange', red: 'rote' },
} as const;

/** The standard sentence of a colour, before what staff wrote. */
const DANGER = {
  it: (colour: AlertColourWord, risk: string) =>
    colour === 'red'
      ? `Criticità ELEVATA per ${risk}. Pericolo per la vita: evita gli spostamenti non necessari e segui le indicazioni della protezione civile.`
      : colour === 'green'
        ? `Nessuna criticità prevista per ${risk}.`
        : `Criticità ${colour === 'orange' ? 'moderata' : 'ordinaria'} per ${risk}. Tieniti informato e fai attenzione.`,
  en: (colour: AlertColourWord, risk: string) =>
    colour === 'red'
      ? `HIGH risk of ${risk}. Danger to life: avoid all unnecessary travel and follow civil protection instructions.`
      : colour === 'green'
        ? `No risk of ${risk} expected.`
        : `${colour === 'orange' ? 'Moderate' : 'Ordinary'} risk of ${risk}. Stay informed and take care.`,
  de: (colour: AlertColourWord, risk: string) =>
    colour === 'red'
      ? `HOHE Gefahr durch ${risk}. Lebensgefahr: vermeiden Sie unnötige Wege und folgen Sie den Anweisungen des Zivilschutzes.`
      : colour === 'green'
        ? `Keine Gefahr durch ${risk} erwartet.`
        : `${colour === 'orange' ? 'Mäßige' : 'Normale'} Gefahr durch ${risk}. Bleiben Sie informiert und seien Sie vorsichtig.`,
} as const;

/** What staff wrote: the headline, then the instructions. */
function staffText(d: { headline?: string; instructions?: string[] }, label: string): string[] {
  return [
    ...(d.headline ? [d.headline] : []),
    ...(d.instructions && d.instructions.length > 0
      ? [`${label}: ${d.instructions[0]!}`, ...d.instructions.slice(1)]
      : []),
  ];
}

const WORDS = {
  it: {
    zone: 'Zona',
    validity: 'Validità',
    bulletin: 'Bollettino',
    todo: 'Cosa fare',
    replaces: 'Sostituisce',
    wasValid: 'Era valida',
    reason: 'Motivo',
    details: "Dettagli dell'allerta",
    window: (from: string, until: string, l: Language) =>
      `dal ${formatDateTime(from, l)} al ${formatDateTime(until, l)}`,
  },
  en: {
    zone: 'Zone',
    validity: 'Valid',
    bulletin: 'Bulletin',
    todo: 'What to do',
    replaces: 'Replaces',
    wasValid: 'Was valid',
    reason: 'Reason',
    details: 'Alert details',
    window: (from: string, until: string, l: Language) =>
      `from ${formatDateTime(from, l)} to ${formatDateTime(until, l)}`,
  },
  de: {
    zone: 'Zone',
    validity: 'Gültig',
    bulletin: 'Bulletin',
    todo: 'Was zu tun ist',
    replaces: 'Ersetzt',
    wasValid: 'War gültig',
    reason: 'Grund',
    details: 'Details zur Warnung',
    window: (from: string, until: string, l: Language) =>
      `vom ${formatDateTime(from, l)} bis ${formatDateTime(until, l)}`,
  },
} as const;

function alertFacts(
  d: { zone: string; validFrom: string; validUntil: string; bulletin?: string },
  language: Language,
): Array<{ label: string; value: string }> {
  const w = WORDS[language];
  return [
    { label: w.zone, value: d.zone },
    { label: w.validity, value: w.window(d.validFrom, d.validUntil, language) },
    ...(d.bulletin ? [{ label: w.bulletin, value: d.bulletin }] : []),
  ];
}

function issued(language: Language, d: AlertIssuedData, c: TemplateContext): MessageDocument {
  const red = d.colour === 'red';
  const colour = COLOUR[language][d.colour];
  const headings = {
    it: {
      subject: red ? `ALLERTA ROSSA ${d.risk}: pericolo elevato` : `Allerta ${colour} per ${d.risk}`,
      heading: red ? `ALLERTA ROSSA – ${c.comuneName}` : `Allerta ${colour} – ${c.comuneName}`,
    },
    en: {
      subject: red
        ? `RED ALERT ${d.risk}: high danger`
        : `${colour[0]!.toUpperCase()}${colour.slice(1)} alert for ${d.risk}`,
      heading: red ? `RED ALERT – ${c.comuneName}` : `${colour} alert – ${c.comuneName}`,
    },
    de: {
      subject: red
        ? `ALARMSTUFE ROT ${d.risk}: hohe Gefahr`
        : `Warnstufe ${d.colour === 'yellow' ? 'Gelb' : 'Orange'}: ${d.risk}`,
      heading: red ? `ALARMSTUFE ROT – ${c.comuneName}` : `Warnung: ${colour} Stufe – ${c.comuneName}`,
    },
  }[language];
  return {
    severity: red ? 'critical' : 'warning',
    ...headings,
    paragraphs: [DANGER[language](d.colour, d.risk), ...staffText(d, WORDS[language].todo)],
    facts: alertFacts(d, language),
    action: { label: WORDS[language].details, url: d.url },
  };
}

export const alertIssued: Template<AlertIssuedData> = {
  it: (d, c) => issued('it', d, c),
  en: (d, c) => issued('en', d, c),
  de: (d, c) => issued('de', d, c),
};

function updated(language: Language, d: AlertUpdatedData, c: TemplateContext): MessageDocument {
  const red = d.colour === 'red';
  const colour = COLOUR_PLAIN[language][d.colour];
  const before = d.replaces;
  const changed = before !== undefined && before.colour !== d.colour;
  const old = before === undefined ? '' : COLOUR_PLAIN[language][before.colour];
  const w = WORDS[language];
  const text = {
    it: {
      subject: `${red ? 'ALLERTA ROSSA aggiornata' : `Aggiornamento: allerta ${colour}`} per ${d.risk}${changed ? ` (sostituisce l'allerta ${old})` : ''}`,
      heading: `${red ? 'ALLERTA ROSSA aggiornata' : `Allerta ${colour} aggiornata`} – ${c.comuneName}`,
      lead: before
        ? `Questo messaggio aggiorna e sostituisce l'allerta ${old} per ${d.risk} ${w.window(before.validFrom, before.validUntil, language)}: ora l'allerta è ${colour}.`
        : `L'allerta per ${d.risk} è stata aggiornata: ora è ${colour}.`,
    },
    en: {
      subject: `${red ? 'RED ALERT updated' : `Update: ${colour} alert`} for ${d.risk}${changed ? ` (replaces the ${old} alert)` : ''}`,
      heading: `${red ? 'RED ALERT updated' : `${colour} alert updated`} – ${c.comuneName}`,
      lead: before
        ? `This message updates and replaces the ${old} alert for ${d.risk} ${w.window(before.validFrom, before.validUntil, language)}: the alert is now ${colour}.`
        : `The alert for ${d.risk} was updated: it is now ${colour}.`,
    },
    de: {
      subject: `${red ? 'ALARMSTUFE ROT aktualisiert' : `Aktualisierung: ${colour} Warnung`}: ${d.risk}${changed ? ` (ersetzt die ${old} Warnung)` : ''}`,
      heading: `${red ? 'ALARMSTUFE ROT aktualisiert' : `Warnung aktualisiert`} – ${c.comuneName}`,
      lead: before
        ? `Diese Nachricht aktualisiert und ersetzt die ${old} Warnung für ${d.risk} ${w.window(before.validFrom, before.validUntil, language)}: die Warnung ist jetzt ${colour}.`
        : `Die Warnung für ${d.risk} wurde aktualisiert: sie ist jetzt ${colour}.`,
    },
  }[language];
  return {
    severity: red ? 'critical' : 'warning',
    subject: text.subject,
    heading: text.heading,
    paragraphs: [text.lead, DANGER[language](d.colour, d.risk), ...staffText(d, w.todo)],
    facts: [
      ...alertFacts(d, language),
      ...(before
        ? [
            {
              label: w.replaces,
              value: `${COLOUR_PLAIN[language][before.colour]}, ${w.window(before.validFrom, before.validUntil, language)}`,
            },
          ]
        : []),
    ],
    action: { label: w.details, url: d.url },
  };
}

export const alertUpdated: Template<AlertUpdatedData> = {
  it: (d, c) => updated('it', d, c),
  en: (d, c) => updated('en', d, c),
  de: (d, c) => updated('de', d, c),
};

function ended(language: Language, d: AlertEndedData, c: TemplateContext): MessageDocument {
  const colour = COLOUR_PLAIN[language][d.colour];
  const cancelled = d.reason === 'cancelled';
  const named = d.headline ? ` («${d.headline}»)` : '';
  const w = WORDS[language];
  const text = {
    it: {
      subject: cancelled
        ? `Cessata allerta: revocata l'allerta ${colour} per ${d.risk}`
        : `Allerta ${colour} per ${d.risk} terminata`,
      heading: `${cancelled ? 'Cessata allerta' : 'Allerta terminata'} – ${c.comuneName}`,
      lead: cancelled
        ? `Il Comune ha revocato l'allerta ${colour} per ${d.risk}${named}: non è più in vigore.`
        : `L'allerta ${colour} per ${d.risk}${named} è terminata il ${formatDateTime(d.validUntil, language)}.`,
      after: 'Resta prudente e segui eventuali nuove indicazioni del Comune.',
    },
    en: {
      subject: cancelled
        ? `All clear: the ${colour} alert for ${d.risk} is withdrawn`
        : `The ${colour} alert for ${d.risk} is over`,
      heading: `${cancelled ? 'All clear' : 'Alert over'} – ${c.comuneName}`,
      lead: cancelled
        ? `The municipality withdrew the ${colour} alert for ${d.risk}${named}: it is no longer in force.`
        : `The ${colour} alert for ${d.risk}${named} ended on ${formatDateTime(d.validUntil, language)}.`,
      after: 'Stay careful and follow any new instructions from the municipality.',
    },
    de: {
      subject: cancelled
        ? `Entwarnung: die ${colour} Warnung für ${d.risk} ist aufgehoben`
        : `Die ${colour} Warnung für ${d.risk} ist beendet`,
      heading: `${cancelled ? 'Entwarnung' : 'Warnung beendet'} – ${c.comuneName}`,
      lead: cancelled
        ? `Die Gemeinde hat die ${colour} Warnung für ${d.risk}${named} aufgehoben: sie gilt nicht mehr.`
        : `Die ${colour} Warnung für ${d.risk}${named} endete am ${formatDateTime(d.validUntil, language)}.`,
      after: 'Bleiben Sie vorsichtig und folgen Sie neuen Anweisungen der Gemeinde.',
    },
  }[language];
  return {
    // The all-clear of a red alert rings like the alert did: people waiting upstairs must hear it.
    severity: d.colour === 'red' ? 'critical' : 'info',
    subject: text.subject,
    heading: text.heading,
    paragraphs: [
      text.lead,
      ...(cancelled && d.cancelReason ? [`${w.reason}: ${d.cancelReason}`] : []),
      text.after,
    ],
    facts: [
      { label: w.zone, value: d.zone },
      { label: w.wasValid, value: w.window(d.validFrom, d.validUntil, language) },
    ],
    action: { label: w.details, url: d.url },
  };
}

export const alertEnded: Template<AlertEndedData> = {
  it: (d, c) => ended('it', d, c),
  en: (d, c) => ended('en', d, c),
  de: (d, c) => ended('de', d, c),
};
