import { createEvent, type Actor, type AlertColour, type AlertPhase, type EventOf } from '@sportello/schema';
import { isCritical } from '../domain/alert.js';
import { alertTitle } from '../domain/labels.js';
import type { Alert } from '../entities/alert.entity.js';
import type { Ordinance } from '../entities/ordinance.entity.js';

type AlertEventType = 'alert.issued' | 'alert.updated' | 'alert.cancelled' | 'alert.expired';

/** A zone as events name it. */
export interface NamedZone {
  code: string;
  name: string;
}

/** How an alert stood before an update: what the update replaces. */
export interface AlertState {
  colour: AlertColour;
  /** The audience zones it had. */
  zones: readonly string[];
  validFrom: Date;
  validUntil: Date;
  phase: AlertPhase | null;
}

/**
 * An alert event as the catalogue defines it. `zones` is the audience (every zone of the comune
 * for a whole-comune alert), so the notifier needs nothing else to find the recipients; the texts
 * staff wrote (headline, instructions) and the zones' names travel with it, so messages say what
 * the alert says. `critical` holds for a red alert and for every later message about an alert that
 * was red.
 */
export function alertEvent(
  type: AlertEventType,
  alert: Alert,
  audience: readonly NamedZone[],
  actor: Actor | null,
  occurredAt: Date,
  previous?: AlertState,
): EventOf<AlertEventType> {
  return createEvent(type, {
    comune: alert.comune,
    subject: alert.id,
    actor,
    occurredAt,
    data: {
      alertId: alert.id,
      hazard: alert.hazard,
      colour: alert.colour,
      zones: audience.map((zone) => zone.code),
      zoneNames: audience.map((zone) => zone.name),
      wholeComune: alert.wholeComune,
      validFrom: alert.validFrom.toISOString(),
      validTo: alert.validUntil.toISOString(),
      phase: alert.phase,
      // Once red, always critical: the downgrade and the all-clear reach everyone the red reached.
      critical: isCritical(alert.colour) || alert.reachedCritical,
      headline: alert.headline ?? alertTitle(alert.colour, alert.hazard),
      instructions: alert.instructions,
      // The end of an alert is no CAP message: its `expires` already said when.
      ...(type === 'alert.expired' ? {} : { sequence: alert.messageTimes.length }),
      ...(alert.bulletinReference === null ? {} : { bulletinRef: alert.bulletinReference }),
      ...(previous === undefined
        ? {}
        : {
            previous: {
              colour: previous.colour,
              zones: [...previous.zones],
              validFrom: previous.validFrom.toISOString(),
              validTo: previous.validUntil.toISOString(),
              phase: previous.phase,
            },
          }),
      ...(type === 'alert.cancelled' && alert.cancelReason ? { cancelReason: alert.cancelReason } : {}),
    },
  });
}

/** What `ordinance.published` carries besides the ordinance row. */
export interface PublishedOrdinanceExtras {
  /** Names of the ordinance's zones, by code. */
  zoneNames: ReadonlyMap<string, string>;
  /** Absolute public URLs of its documents, in order. */
  documentUrls: readonly string[];
}

/** `ordinance.published` for a freshly published ordinance. */
export function ordinancePublishedEvent(
  ordinance: Ordinance,
  actor: Actor | null,
  occurredAt: Date,
  extras: PublishedOrdinanceExtras,
) {
  const { number, year } = ordinance;
  if (number === null || number === undefined || year === null || year === undefined) {
    throw new Error(`ordinance ${ordinance.id} has no number: publish assigns it before the event`);
  }
  const zones = ordinance.scopeKind === 'zones' ? [...ordinance.zoneCodes] : [];
  return createEvent('ordinance.published', {
    comune: ordinance.comune,
    subject: ordinance.id,
    actor,
    occurredAt,
    data: {
      ordinanceId: ordinance.id,
      number,
      year,
      subject: ordinance.subject,
      wholeComune: ordinance.scopeKind === 'whole-comune',
      zones,
      zoneNames: zones.map((code) => extras.zoneNames.get(code) ?? code),
      ...(ordinance.scopeKind === 'streets' ? { streets: [...ordinance.streets] } : {}),
      effectiveFrom: ordinance.effectiveFrom.toISOString(),
      effectiveTo: ordinance.effectiveUntil?.toISOString() ?? null,
      ...(ordinance.adoptedOn ? { adoptedOn: ordinance.adoptedOn } : {}),
      measures: [...ordinance.measures],
      documentUrls: [...extras.documentUrls],
    },
  });
}
