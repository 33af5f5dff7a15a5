import type { DocumentKind, Hazard } from '@sportello/schema';
import type { Language } from '../channels/channel.js';

/** Hazards in words, as the alert templates put them after "risk of". */
export const HAZARD_WORDS: Record<Language, Record<Hazard, string>> = {
  it: {
    hydrogeological: 'rischio idrogeologico',
    hydraulic: 'rischio idraulico',
    thunderstorms: 'temporali',
    wind: 'vento',
    snow: 'neve',
    ice: 'ghiaccio',
    'storm-surge': 'mareggiate',
    avalanches: 'valanghe',
    coastal: 'rischio costiero',
  },
  en: {
    hydrogeological: 'landslides and floods',
    hydraulic: 'river flooding',
    thunderstorms: 'thunderstorms',
    wind: 'wind',
    snow: 'snow',
    ice: 'ice',
    'storm-surge': 'storm surge',
    avalanches: 'avalanches',
    coastal: 'coastal flooding',
  },
  de: {
    hydrogeological: 'Erdrutsche und Überschwemmungen',
    hydraulic: 'Hochwasser',
    thunderstorms: 'Gewitter',
    wind: 'Wind',
    snow: 'Schnee',
    ice: 'Glätte',
    'storm-surge': 'Sturmflut',
    avalanches: 'Lawinen',
    coastal: 'Küstenüberflutung',
  },
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
