/**
 * The Atom 1.0 feed of published ordinances: what a comune's Albo Pretorio feed offers for its
 * civil-protection acts, one entry per ordinance, its documents as enclosures.
 */
import { LEGAL_BASIS_CITATIONS, type LegalBasis } from '../../domain/ordinance.js';
import { element, escapeXml } from './xml.js';

/** An ordinance as the feed shows it. */
export interface OrdinanceFeedEntry {
  id: string;
  comune: string;
  /** `12/2026`. */
  reference: string;
  subject: string;
  legalBasis: LegalBasis;
  measures: readonly string[];
  publishedAt: Date;
  /** `YYYY-MM-DD`. */
  adoptedOn: string | null;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
  /** Where it applies, in words. */
  area: string;
  /** Absolute URL of its public page. */
  pageUrl: string;
  documents: ReadonlyArray<{ title: string; url: string; mediaType: string; bytes: number; sha256: string }>;
  /** The reference of the ordinance it corrects, if any. */
  corrects: string | null;
}

function day(date: Date): string {
  return new Intl.DateTimeFormat('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(date);
}

function summaryOf(entry: OrdinanceFeedEntry): string {
  const parts = [
    `${entry.subject}.`,
    ...(entry.corrects === null ? [] : [`Rettifica l'ordinanza n. ${entry.corrects}.`]),
    `Ai sensi dell'${LEGAL_BASIS_CITATIONS[entry.legalBasis]}.`,
    `Ambito: ${entry.area}.`,
    entry.effectiveUntil === null
      ? `In vigore dal ${day(entry.effectiveFrom)} fino a revoca.`
      : `In vigore dal ${day(entry.effectiveFrom)} al ${day(entry.effectiveUntil)}.`,
    `Misure disposte: ${entry.measures.join('; ')}.`,
  ];
  return parts.join(' ');
}

/**
 * Renders the feed. Entries are ordinances newest first; each links its public page
 * (`rel="alternate"`) and every document (`rel="enclosure"` with its type, length and title), and
 * the document's SHA-256 is written in its title so a copy can be checked.
 */
export function renderOrdinancesIndex(
  entries: readonly OrdinanceFeedEntry[],
  feed: { selfUrl: string; comuneName: string; updated: Date },
): string {
  const entryXml = entries
    .map(
      (entry) =>
        `  <entry>\n` +
        element('id', `urn:sportello:${entry.comune}:ordinance:${entry.id}`, '    ') +
        element('title', `Ordinanza n. ${entry.reference}: ${entry.subject}`, '    ') +
        element('published', entry.publishedAt.toISOString(), '    ') +
        element('updated', entry.publishedAt.toISOString(), '    ') +
        element('summary', summaryOf(entry), '    ') +
        `    <category scheme="urn:sportello:ordinance:legal-basis" term="${entry.legalBasis}"/>\n` +
        `    <link rel="alternate" type="text/html" href="${escapeXml(entry.pageUrl)}"/>\n` +
        entry.documents
          .map(
            (document) =>
              `    <link rel="enclosure" type="${escapeXml(document.mediaType)}" length="${document.bytes}" ` +
              `title="${escapeXml(`${document.title} (SHA-256 ${document.sha256})`)}" href="${escapeXml(document.url)}"/>\n`,
          )
          .join('') +
        `  </entry>\n`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<feed xmlns="http://www.w3.org/2005/Atom">\n` +
    element('id', feed.selfUrl, '  ') +
    element('title', `Comune di ${feed.comuneName} - ordinanze di protezione civile`, '  ') +
    element('updated', feed.updated.toISOString(), '  ') +
    `  <author>\n${element('name', `Comune di ${feed.comuneName}`, '    ')}  </author>\n` +
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(feed.selfUrl)}"/>\n` +
    entryXml +
    `</feed>\n`
  );
}
