import { HAZARD_NAMES, HAZARDS, type DocumentKind, type Hazard } from '@sportello/schema';
import type { Language } from '../channels/channel.js';

/**
 * Hazards in words, as the alert templates put them after "per", "risk of" and "Gefahr durch": the
 * shared names, in Italian as a risk (`rischio idraulico`).
 */
export const HAZARD_WORDS: Record<Language, Record<Hazard, string>> = {
  it: Object.fromEntries(HAZARDS.map((hazard) => [hazard, `rischio ${HAZARD_NAMES.it[hazard]}`])) as Record<
    Hazard,
    string
  >,
  en: HAZARD_NAMES.en,
  de: HAZARD_NAMES.de,
};

/** Identity documents in words. */
export const DOCUMENT_WORDS: Record<Language, Record<DocumentKind, string>> = {
  it: { CIE: "carta d'identità elettronica", paper: "carta d'identità cartacea" },
  en: { CIE: 'electronic identity card', paper: 'paper identity card' },
  de: { CIE: 'elektronischer Personalausweis', paper: 'Personalausweis in Papierform' },
};

/** What an integration request asks for: the text stays in practices, the citizen reads it there. */
export const INTEGRATION_REQUEST_WORDS: Record<Language, string> = {
  it: 'trovi la richiesta dell’ufficio nella pratica.',
  en: 'you will find the office’s request in your application.',
  de: 'die Anfrage des Amtes finden Sie in Ihrem Antrag.',
};

/** "Whole comune" as an ordinance's area. */
export const WHOLE_COMUNE_WORDS: Record<Language, string> = {
  it: 'tutto il territorio comunale',
  en: 'the whole municipality',
  de: 'das gesamte Gemeindegebiet',
};

/** The comune's offices as citizens know them (appointments, practices); unknown ones show as given. */
export const OFFICE_WORDS: Record<Language, Record<string, string>> = {
  it: {
    anagrafe: 'Ufficio anagrafe',
    tributi: 'Ufficio tributi',
    practices: 'Sportello del cittadino',
    suap: 'Sportello unico per le attività produttive (SUAP)',
    'civil-protection': 'Protezione civile',
  },
  en: {
    anagrafe: 'Registry office',
    tributi: 'Local tax office',
    practices: 'Citizens’ service desk',
    suap: 'Business one-stop shop (SUAP)',
    'civil-protection': 'Civil protection',
  },
  de: {
    anagrafe: 'Meldeamt',
    tributi: 'Steueramt',
    practices: 'Bürgerservice',
    suap: 'Einheitlicher Ansprechpartner für Unternehmen (SUAP)',
    'civil-protection': 'Zivilschutz',
  },
};

/** The office's name in words, or the office as given when it is not a known one. */
export function officeWords(office: string, language: Language): string {
  return OFFICE_WORDS[language][office] ?? office;
}

/** Categories of citizen reports (segnalazioni) in words; unknown ones show as given. */
export const REPORT_CATEGORY_WORDS: Record<Language, Record<string, string>> = {
  it: {
    'road-damage': 'Strada danneggiata',
    'street-lighting': 'Illuminazione pubblica',
    waste: 'Rifiuti',
    'green-areas': 'Aree verdi',
    graffiti: 'Scritte sui muri',
    'road-signs': 'Segnaletica stradale',
    'water-leak': 'Perdita d’acqua',
    noise: 'Rumore',
    'abandoned-vehicle': 'Veicolo abbandonato',
    other: 'Altro',
  },
  en: {
    'road-damage': 'Road damage',
    'street-lighting': 'Street lighting',
    waste: 'Waste',
    'green-areas': 'Parks and green areas',
    graffiti: 'Graffiti',
    'road-signs': 'Road signs',
    'water-leak': 'Water leak',
    noise: 'Noise',
    'abandoned-vehicle': 'Abandoned vehicle',
    other: 'Other',
  },
  de: {
    'road-damage': 'Straßenschaden',
    'street-lighting': 'Straßenbeleuchtung',
    waste: 'Abfall',
    'green-areas': 'Grünflächen',
    graffiti: 'Graffiti',
    'road-signs': 'Verkehrszeichen',
    'water-leak': 'Wasserleck',
    noise: 'Lärm',
    'abandoned-vehicle': 'Verlassenes Fahrzeug',
    other: 'Sonstiges',
  },
};
