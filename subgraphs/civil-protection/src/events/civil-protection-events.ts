import { createEvent, type Actor, type EventOf } from '@sportello/schema';
import { isCritical } from '../domain/alert.js';
import type { Alert } from '../entities/alert.entity.js';
import type { Ordinance } from '../entities/ordinance.entity.js';

type AlertEventType = 'alert.issued' | 'alert.updated' | 'alert.cancelled';

/**
 * An alert event as the catalogue defines it. `zones` is the audience (every zone of the comune
 * for a whole-comune alert), so the notifier needs nothing else to find the recipients.
 */
export function alertEvent(
  type: AlertEventType,
  alert: Alert,
  audienceZoneCodes: readonly string[],
  actor: Actor | null,
  occurredAt: Date,
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
      zones: [...audienceZoneCodes],
      validFrom: alert.validFrom.toISOString(),
      validTo: alert.validUntil.toISOString(),
      phase: alert.phase,
      critical: isCritical(alert.colour),
      ...(alert.bulletinReference === null ? {} : { bulletinRef: alert.bulletinReference }),
    },
  });
}

/** `ordinance.published` for a freshly published ordinance. */
export function ordinancePublishedEvent(ordinance: Ordinance, actor: Actor | null, occurredAt: Date) {
  const { number, year } = ordinance;
  if (number === null || number === undefined || year === null || year === undefined) {
    throw new Error(`ordinance ${ordinance.id} has no number: publish assigns it before the event`);
  }
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
      zones: ordinance.scopeKind === 'zones' ? [...ordinance.zoneCodes] : [],
      ...(ordinance.scopeKind === 'streets' ? { streets: [...ordinance.streets] } : {}),
      effectiveFrom: ordinance.effectiveFrom.toISOString(),
      effectiveTo: ordinance.effectiveUntil?.toISOString() ?? null,
    },
  });
}
