import type { Hazard } from '../events/civil-protection.events.js';

/** The languages Sportello writes to residents in. */
export type WordsLanguage = 'it' | 'en' | 'de';

/**
 * Each hazard named as a risk, the one wording every service uses for it: in Italian after
 * "rischio" (`Allerta arancione per rischio idraulico`), in English after "risk of", in German
 * after "Gefahr durch".
 */
export const HAZARD_NAMES: Readonly<Record<WordsLanguage, Readonly<Record<Hazard, string>>>> = {
  it: {
    hydrogeological: 'idrogeologico',
    hydraulic: 'idraulico',
    thunderstorms: 'temporali',
    wind: 'vento',
    snow: 'neve',
    ice: 'ghiaccio',
    'storm-surge': 'mareggiate',
    avalanches: 'valanghe',
    coastal: 'costiero',
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
