/**
 * Italian wording of the civil protection vocabulary, as residents read it in feeds and messages.
 */
import { HAZARD_NAMES } from '@sportello/schema';
import type { AlertColour, Hazard, OperationalPhase } from './alert.js';
import type { EmergencyAreaKind } from './emergency-area.js';

/** The hazards' names, shared with the notifier's messages. */
export const HAZARD_LABELS_IT: Readonly<Record<Hazard, string>> = HAZARD_NAMES.it;

export const COLOUR_LABELS_IT: Record<AlertColour, string> = {
  green: 'verde',
  yellow: 'gialla',
  orange: 'arancione',
  red: 'rossa',
};

export const PHASE_LABELS_IT: Record<OperationalPhase, string> = {
  attention: 'attenzione',
  'pre-alarm': 'preallarme',
  alarm: 'allarme',
};

export const AREA_KIND_LABELS_IT: Record<EmergencyAreaKind, string> = {
  waiting: 'Area di attesa',
  assistance: 'Area di assistenza',
  staging: 'Area di ammassamento soccorritori',
  landing: 'Zona di atterraggio elicotteri',
};

/** The usual title of an alert: `Allerta arancione per rischio idrogeologico`. */
export function alertTitle(colour: AlertColour, hazard: Hazard): string {
  return `Allerta ${COLOUR_LABELS_IT[colour]} per rischio ${HAZARD_LABELS_IT[hazard]}`;
}
