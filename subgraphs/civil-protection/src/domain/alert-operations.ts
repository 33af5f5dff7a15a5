/**
 * Alert use cases on a request's EntityManager: every change writes the alert and its outbox event
 * in one flush (one transaction).
 */
import { ConflictError, recordEvent, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { AlertEntity, type Alert } from '../entities/alert.entity.js';
import { alertNotFound, invalidInput } from '../errors.js';
import { alertEvent } from '../events/civil-protection-events.js';
import {
  audienceZones,
  checkAlert,
  isActive,
  type AlertArea,
  type AlertDraft,
  type AudienceZones,
} from './alert.js';
import { isPublicId } from './ids.js';
import { loadZones } from './zones.js';

/** The area an alert row covers. */
export function areaOf(alert: Alert): AlertArea {
  return alert.wholeComune ? { wholeComune: true } : { wholeComune: false, zoneCodes: [...alert.zoneCodes] };
}

async function checked(em: EntityManager, draft: AlertDraft, now: Date) {
  const zones = await loadZones(em);
  const result = checkAlert(draft, new Set(zones.map((zone) => zone.code)), now);
  if (!result.ok) throw invalidInput(result.violations);
  const audience = audienceZones(
    result.alert.area,
    zones.map((zone) => zone.code),
  );
  if (audience.zoneCodes.length === 0) {
    throw invalidInput([
      {
        field: 'wholeComune',
        message: 'the comune has no zones defined yet: define its zones before issuing alerts',
      },
    ]);
  }
  return { alert: result.alert, audience };
}

/** Issues a new alert. @throws BadUserInputError naming every rule the draft breaks. */
export async function issueAlert(
  em: EntityManager,
  comune: string,
  actor: Actor,
  draft: AlertDraft,
  now: Date,
) {
  const { alert: fields, audience } = await checked(em, draft, now);
  const alert = em.create(AlertEntity, {
    comune,
    hazard: fields.hazard,
    colour: fields.colour,
    wholeComune: fields.area.wholeComune,
    zoneCodes: fields.area.wholeComune ? [] : fields.area.zoneCodes,
    validFrom: fields.validFrom,
    validUntil: fields.validUntil,
    phase: fields.phase,
    headline: fields.headline,
    instructions: fields.instructions,
    bulletinReference: fields.bulletinReference,
    status: 'active',
    messageTimes: [now.toISOString()],
    issuedBy: actor.id,
    issuedAt: now,
    updatedAt: now,
    cancelledAt: null,
    cancelReason: null,
  });
  recordEvent(em, alertEvent('alert.issued', alert, audience.zoneCodes, actor, now));
  await em.flush();
  return alert;
}

async function changeable(em: EntityManager, id: string, now: Date): Promise<Alert> {
  const alert = isPublicId(id) ? await em.findOne(AlertEntity, { id }) : null;
  if (alert === null) throw alertNotFound(id);
  if (alert.status === 'cancelled') {
    throw new ConflictError(`Alert ${id} was cancelled: issue a new alert instead`, {
      reason: 'ALERT_CANCELLED',
    });
  }
  if (!isActive(alert, now)) {
    throw new ConflictError(
      `Alert ${id} is over (it ended ${alert.validUntil.toISOString()}): issue a new alert instead`,
      {
        reason: 'ALERT_EXPIRED',
      },
    );
  }
  return alert;
}

/** What an update may change; absent fields keep their value. */
export type AlertChanges = Partial<AlertDraft>;

/**
 * Changes an active alert (colour, zones, window, phase, texts) and sends an update message.
 * @throws NotFoundError, ConflictError (cancelled or over), BadUserInputError
 */
export async function updateAlert(
  em: EntityManager,
  id: string,
  actor: Actor,
  changes: AlertChanges,
  now: Date,
) {
  const alert = await changeable(em, id, now);
  const area = areaOf(alert);
  const zoneCodesGiven = changes.zoneCodes !== undefined && changes.zoneCodes !== null;
  const wholeGiven = changes.wholeComune !== undefined && changes.wholeComune !== null;
  const colour = changes.colour ?? alert.colour;
  const draft: AlertDraft = {
    hazard: changes.hazard ?? alert.hazard,
    colour,
    // Naming zones replaces the area; so does asking for the whole comune.
    wholeComune: wholeGiven ? changes.wholeComune : zoneCodesGiven ? false : area.wholeComune,
    zoneCodes: zoneCodesGiven
      ? changes.zoneCodes
      : changes.wholeComune === true || area.wholeComune
        ? []
        : area.zoneCodes,
    validFrom: changes.validFrom ?? alert.validFrom,
    validUntil: changes.validUntil ?? alert.validUntil,
    // A new colour without a phase takes the colour's minimum rather than a phase it may not allow.
    phase: changes.phase !== undefined ? changes.phase : changes.colour !== undefined ? null : alert.phase,
    headline: changes.headline !== undefined ? changes.headline : alert.headline,
    instructions: changes.instructions ?? alert.instructions,
    bulletinReference:
      changes.bulletinReference !== undefined ? changes.bulletinReference : alert.bulletinReference,
  };
  const { alert: fields, audience } = await checked(em, draft, now);
  em.assign(alert, {
    hazard: fields.hazard,
    colour: fields.colour,
    wholeComune: fields.area.wholeComune,
    zoneCodes: fields.area.wholeComune ? [] : fields.area.zoneCodes,
    validFrom: fields.validFrom,
    validUntil: fields.validUntil,
    phase: fields.phase,
    headline: fields.headline,
    instructions: fields.instructions,
    bulletinReference: fields.bulletinReference,
    messageTimes: [...alert.messageTimes, now.toISOString()],
    updatedAt: now,
  });
  recordEvent(em, alertEvent('alert.updated', alert, audience.zoneCodes, actor, now));
  await em.flush();
  return alert;
}

/** Withdraws an active alert. @throws NotFoundError, ConflictError, BadUserInputError (empty reason) */
export async function cancelAlert(em: EntityManager, id: string, actor: Actor, reason: string, now: Date) {
  const trimmed = reason.trim();
  if (trimmed === '' || trimmed.length > 1000) {
    throw invalidInput(
      [{ field: 'reason', message: 'give the reason for the cancellation (1000 characters at most)' }],
      'reason',
    );
  }
  const alert = await changeable(em, id, now);
  const audience = await alertAudience(em, alert);
  em.assign(alert, {
    status: 'cancelled',
    cancelledAt: now,
    cancelReason: trimmed,
    messageTimes: [...alert.messageTimes, now.toISOString()],
    updatedAt: now,
  });
  recordEvent(em, alertEvent('alert.cancelled', alert, audience.zoneCodes, actor, now));
  await em.flush();
  return alert;
}

/** Active alerts (not cancelled, not over), soonest first; optionally only those reaching a zone. */
export async function activeAlerts(em: EntityManager, now: Date, zoneCode?: string | null): Promise<Alert[]> {
  const alerts = await em.find(
    AlertEntity,
    { status: 'active', validUntil: { $gt: now } },
    { orderBy: { validFrom: 'asc', issuedAt: 'asc' } },
  );
  if (zoneCode === undefined || zoneCode === null) return alerts;
  return alerts.filter((alert) => alert.wholeComune || alert.zoneCodes.includes(zoneCode));
}

/** The zones whose residents an alert concerns. */
export async function alertAudience(em: EntityManager, alert: Alert): Promise<AudienceZones> {
  const area = areaOf(alert);
  if (!area.wholeComune) return audienceZones(area, []);
  return audienceZones(
    area,
    (await loadZones(em)).map((zone) => zone.code),
  );
}

/** One alert of the comune, whatever its status; `null` when there is none with this id. */
export async function findAlert(em: EntityManager, id: string): Promise<Alert | null> {
  return isPublicId(id) ? em.findOne(AlertEntity, { id }) : null;
}
