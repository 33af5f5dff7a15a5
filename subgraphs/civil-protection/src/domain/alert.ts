/**
 * Alert rules: what a comune may announce when the weather turns or an emergency begins, and how
 * a colour drives the comune's operational phase. Pure functions; persistence and transport live
 * elsewhere.
 */

import { ALERT_PHASES, type AlertColour, type AlertPhase, type Hazard } from '@sportello/schema';

// The vocabularies are part of the event contract, so they come from @sportello/schema.
export { HAZARDS, ALERT_COLOURS, type Hazard, type AlertColour } from '@sportello/schema';

/** The comune's operational phases, in increasing order. */
export const OPERATIONAL_PHASES = ALERT_PHASES;
export type OperationalPhase = AlertPhase;

/** `active` until staff cancel it; an active alert whose window has passed is reported as expired. */
export const ALERT_STATUSES = ['active', 'cancelled'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Longest text accepted for instructions (they are also sent by Telegram, 4096 chars at most). */
export const MAX_INSTRUCTIONS_LENGTH = 3000;
/** Longest validity window of one alert: bulletins cover at most a few days ahead. */
export const MAX_VALIDITY_DAYS = 7;

/**
 * The lowest phase the comune must activate for a colour, following the national operational
 * guidelines (yellow and orange: at least attention; red: at least pre-alarm). Green requires none.
 */
export function minimumPhase(colour: AlertColour): OperationalPhase | null {
  switch (colour) {
    case 'green':
      return null;
    case 'yellow':
    case 'orange':
      return 'attention';
    case 'red':
      return 'pre-alarm';
  }
}

/** Red alerts are critical: the notifier sends them at once, past quiet hours. */
export function isCritical(colour: AlertColour): boolean {
  return colour === 'red';
}

/** One problem with an alert or ordinance request, naming the field at fault. */
export interface RuleViolation {
  field: string;
  message: string;
  /** A machine-readable cause, when a client may act on it (e.g. `OUTSIDE_ITALY`). */
  reason?: string;
}

/** Where an alert applies: the whole comune, or some of its zones. */
export type AlertArea = { wholeComune: true } | { wholeComune: false; zoneCodes: string[] };

/** What staff provide when issuing (or fully restating) an alert. */
export interface AlertDraft {
  hazard: Hazard;
  colour: AlertColour;
  /** Zone codes of the comune; empty or absent with `wholeComune`. */
  zoneCodes?: readonly string[] | null;
  wholeComune?: boolean | null;
  validFrom: Date;
  validUntil: Date;
  /** Defaults to {@link minimumPhase} of the colour. */
  phase?: OperationalPhase | null;
  headline?: string | null;
  instructions: string;
  bulletinReference?: string | null;
  /** Tell everyone reached when the alert is over (`alert.expired`). @default false */
  announceExpiry?: boolean | null;
}

/** An alert draft that passed every rule, normalised (zones de-duplicated and sorted, phase set). */
export interface CheckedAlert {
  hazard: Hazard;
  colour: AlertColour;
  area: AlertArea;
  validFrom: Date;
  validUntil: Date;
  phase: OperationalPhase | null;
  headline: string | null;
  instructions: string;
  bulletinReference: string | null;
  announceExpiry: boolean;
}

function phaseRank(phase: OperationalPhase | null): number {
  return phase === null ? -1 : OPERATIONAL_PHASES.indexOf(phase);
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/**
 * Checks an alert against the rules and the comune's zones. Returns either the normalised alert
 * or every violation found (not just the first), so staff can fix them in one go.
 *
 * @param knownZoneCodes the comune's zone codes
 * @param now reference time: a new alert must not be over already
 */
export function checkAlert(
  draft: AlertDraft,
  knownZoneCodes: ReadonlySet<string>,
  now: Date,
): { ok: true; alert: CheckedAlert } | { ok: false; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const zoneCodes = [...new Set((draft.zoneCodes ?? []).map((code) => code.trim()))].sort();
  const wholeComune = draft.wholeComune === true;
  if (wholeComune && zoneCodes.length > 0) {
    violations.push({ field: 'zoneCodes', message: 'give either wholeComune or zoneCodes, not both' });
  } else if (!wholeComune && zoneCodes.length === 0) {
    violations.push({
      field: 'zoneCodes',
      message: 'name at least one zone of the comune, or set wholeComune',
    });
  }
  const unknown = zoneCodes.filter((code) => !knownZoneCodes.has(code));
  if (unknown.length > 0) {
    violations.push({
      field: 'zoneCodes',
      message: `unknown zone code(s) for this comune: ${unknown.join(', ')} (known: ${[...knownZoneCodes].sort().join(', ') || 'none'})`,
    });
  }
  if (Number.isNaN(draft.validFrom.getTime())) {
    violations.push({ field: 'validFrom', message: 'validFrom is not a valid date' });
  }
  if (Number.isNaN(draft.validUntil.getTime())) {
    violations.push({ field: 'validUntil', message: 'validUntil is not a valid date' });
  } else if (draft.validUntil.getTime() <= draft.validFrom.getTime()) {
    violations.push({ field: 'validUntil', message: 'validUntil must be later than validFrom' });
  } else if (draft.validUntil.getTime() <= now.getTime()) {
    violations.push({
      field: 'validUntil',
      message: 'validUntil is already past: the alert would never be in force',
    });
  } else if (draft.validUntil.getTime() - draft.validFrom.getTime() > MAX_VALIDITY_DAYS * 86_400_000) {
    violations.push({
      field: 'validUntil',
      message: `an alert lasts at most ${MAX_VALIDITY_DAYS} days: issue a new one after`,
    });
  }
  const required = minimumPhase(draft.colour);
  const phase = draft.phase ?? required;
  if (phaseRank(phase) < phaseRank(required)) {
    violations.push({
      field: 'phase',
      message: `a ${draft.colour} alert requires at least the ${String(required)} phase`,
    });
  }
  const instructions = draft.instructions.trim();
  if (instructions === '') {
    violations.push({ field: 'instructions', message: 'instructions are required: tell people what to do' });
  } else if (instructions.length > MAX_INSTRUCTIONS_LENGTH) {
    violations.push({
      field: 'instructions',
      message: `instructions exceed ${MAX_INSTRUCTIONS_LENGTH} characters`,
    });
  }
  const headline = blankToNull(draft.headline);
  if (headline !== null && headline.length > 160) {
    violations.push({ field: 'headline', message: 'headline exceeds 160 characters' });
  }
  const bulletinReference = blankToNull(draft.bulletinReference);
  if (bulletinReference !== null && bulletinReference.length > 200) {
    violations.push({ field: 'bulletinReference', message: 'bulletinReference exceeds 200 characters' });
  }
  if (violations.length > 0) {
    return { ok: false, violations };
  }
  return {
    ok: true,
    alert: {
      hazard: draft.hazard,
      colour: draft.colour,
      area: wholeComune ? { wholeComune: true } : { wholeComune: false, zoneCodes },
      validFrom: draft.validFrom,
      validUntil: draft.validUntil,
      phase,
      headline,
      instructions,
      bulletinReference,
      announceExpiry: draft.announceExpiry === true,
    },
  };
}

/** The facts needed to tell whether an alert is in force. */
export interface AlertTiming {
  status: AlertStatus;
  validFrom: Date;
  validUntil: Date;
}

/**
 * Whether an alert is active: not cancelled and not over. An alert issued for tomorrow is active
 * (people must know in advance); see {@link isInEffect} for "already started".
 */
export function isActive(alert: AlertTiming, now: Date): boolean {
  return alert.status === 'active' && alert.validUntil.getTime() > now.getTime();
}

/** Whether an active alert's validity window has started. */
export function isInEffect(alert: AlertTiming, now: Date): boolean {
  return isActive(alert, now) && alert.validFrom.getTime() <= now.getTime();
}

/** The zone codes an alert concerns, as the notifier needs them. */
export interface AudienceZones {
  /** True when the alert concerns the whole comune: the notifier pages every resident. */
  wholeComune: boolean;
  /** The concerned zone codes; for the whole comune, every zone the comune has defined. */
  zoneCodes: string[];
}

/** Expands an alert's area to the zone codes whose residents must hear of it. */
export function audienceZones(area: AlertArea, comuneZoneCodes: readonly string[]): AudienceZones {
  if (area.wholeComune) {
    return { wholeComune: true, zoneCodes: [...new Set(comuneZoneCodes)].sort() };
  }
  return { wholeComune: false, zoneCodes: [...area.zoneCodes] };
}

/** Which alerts a list shows; absent (or empty) criteria match every alert. */
export interface AlertCriteria {
  colours?: readonly AlertColour[] | null;
  hazards?: readonly Hazard[] | null;
  /** Alerts reaching this zone (whole-comune alerts reach every zone). */
  zoneCode?: string | null;
}

/** The facts {@link matchesCriteria} looks at. */
export interface AlertFacts {
  colour: AlertColour;
  hazard: Hazard;
  wholeComune: boolean;
  zoneCodes: readonly string[];
}

/** Whether an alert meets every given criterion. */
export function matchesCriteria(alert: AlertFacts, criteria: AlertCriteria): boolean {
  const { colours, hazards, zoneCode } = criteria;
  return (
    (!colours?.length || colours.includes(alert.colour)) &&
    (!hazards?.length || hazards.includes(alert.hazard)) &&
    (zoneCode === undefined || zoneCode === null || alert.wholeComune || alert.zoneCodes.includes(zoneCode))
  );
}
