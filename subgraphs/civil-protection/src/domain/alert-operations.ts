/**
 * Alert use cases on a request's EntityManager: every change writes the alert and its outbox event
 * in one flush (one transaction).
 */
import { ConflictError, recordEvent, type Database, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { AlertEntity, type Alert } from '../entities/alert.entity.js';
import { alertNotFound, invalidInput } from '../errors.js';
import type { AlertZone } from '../entities/alert-zone.entity.js';
import { alertEvent, type AlertState, type NamedZone } from '../events/civil-protection-events.js';
import {
  audienceZones,
  checkAlert,
  isActive,
  isCritical,
  matchesCriteria,
  type AlertArea,
  type AlertCriteria,
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
  return { alert: result.alert, audience: named(audience, zones) };
}

/** The audience's zones with their names. */
function named(audience: AudienceZones, zones: readonly AlertZone[]): NamedZone[] {
  const names = new Map(zones.map((zone) => [zone.code, zone.name]));
  return audience.zoneCodes.map((code) => ({ code, name: names.get(code) ?? code }));
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
    announceExpiry: fields.announceExpiry,
    expiryAnnouncedAt: null,
    reachedCritical: isCritical(fields.colour),
  });
  recordEvent(em, alertEvent('alert.issued', alert, audience, actor, now));
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
    announceExpiry: changes.announceExpiry ?? alert.announceExpiry,
  };
  const { alert: fields, audience } = await checked(em, draft, now);
  const before = await alertAudience(em, alert);
  const previous: AlertState = {
    colour: alert.colour,
    zones: before.zoneCodes,
    validFrom: alert.validFrom,
    validUntil: alert.validUntil,
    phase: alert.phase ?? null,
  };
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
    announceExpiry: fields.announceExpiry,
    reachedCritical: alert.reachedCritical || isCritical(fields.colour),
    messageTimes: [...alert.messageTimes, now.toISOString()],
    updatedAt: now,
  });
  recordEvent(em, alertEvent('alert.updated', alert, audience, actor, now, previous));
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
  const audience = await namedAudience(em, alert);
  em.assign(alert, {
    status: 'cancelled',
    cancelledAt: now,
    cancelReason: trimmed,
    messageTimes: [...alert.messageTimes, now.toISOString()],
    updatedAt: now,
  });
  recordEvent(em, alertEvent('alert.cancelled', alert, audience, actor, now));
  await em.flush();
  return alert;
}

/** The criteria the database can apply itself (colour, hazard); zones are JSON, matched after. */
function indexedCriteria(criteria: AlertCriteria) {
  return {
    ...(criteria.colours?.length ? { colour: { $in: [...criteria.colours] } } : {}),
    ...(criteria.hazards?.length ? { hazard: { $in: [...criteria.hazards] } } : {}),
  };
}

/**
 * Active alerts (not cancelled, not over), soonest first, that meet the criteria (colour, hazard,
 * zone).
 */
export async function activeAlerts(
  em: EntityManager,
  now: Date,
  criteria: AlertCriteria = {},
): Promise<Alert[]> {
  const alerts = await em.find(
    AlertEntity,
    { status: 'active', validUntil: { $gt: now }, ...indexedCriteria(criteria) },
    { orderBy: { validFrom: 'asc', issuedAt: 'asc' } },
  );
  return alerts.filter((alert) => matchesCriteria(alert, criteria));
}

/** Every alert of the comune meeting the criteria, whatever its status, latest issued first. */
export async function listAlerts(
  em: EntityManager,
  criteria: AlertCriteria & { issuedAfter?: Date | null },
): Promise<Alert[]> {
  const alerts = await em.find(
    AlertEntity,
    {
      ...(criteria.issuedAfter ? { issuedAt: { $gt: criteria.issuedAfter } } : {}),
      ...indexedCriteria(criteria),
    },
    { orderBy: { issuedAt: 'desc', id: 'asc' } },
  );
  return alerts.filter((alert) => matchesCriteria(alert, criteria));
}

/**
 * The alerts the Atom index lists: the active ones and the cancelled ones whose window has not
 * ended, so a reader polling the feed receives the CAP Cancel (and every Update) until the alert
 * would have expired anyway. Soonest first.
 */
export async function indexedAlerts(em: EntityManager, now: Date): Promise<Alert[]> {
  return em.find(
    AlertEntity,
    { validUntil: { $gt: now } },
    { orderBy: { validFrom: 'asc', issuedAt: 'asc' } },
  );
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

/** The audience of an alert with the zones' names, as events carry it. */
export async function namedAudience(em: EntityManager, alert: Alert): Promise<NamedZone[]> {
  const zones = await loadZones(em);
  const codes = alert.wholeComune ? zones.map((zone) => zone.code) : alert.zoneCodes;
  return named({ wholeComune: alert.wholeComune, zoneCodes: [...codes] }, zones);
}

/** One alert of the comune, whatever its status; `null` when there is none with this id. */
export async function findAlert(em: EntityManager, id: string): Promise<Alert | null> {
  return isPublicId(id) ? em.findOne(AlertEntity, { id }) : null;
}

/** What {@link announceExpiredAlerts} did. */
export interface ExpiryRun {
  /** `alert.expired` events recorded. */
  announced: number;
  /** Alerts over for longer than the look-back, closed without a message (nobody needs it now). */
  skipped: number;
}

/** An end-of-alert notice is useful for a day; after that (a service down for long) it is noise. */
export const EXPIRY_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Announces the end of every alert, in every comune of the database, whose validity is over and
 * whose issuer asked for it (`announceExpiry`): records `alert.expired` in the alert's outbox, in
 * the same transaction that marks it announced, and only if no other run marked it first (replicas
 * may run this together). Alerts over for longer than {@link EXPIRY_LOOKBACK_MS} are marked
 * without a message.
 */
export async function announceExpiredAlerts(database: Database, now: Date): Promise<ExpiryRun> {
  const due = await database
    .forkUnscoped()
    .find(
      AlertEntity,
      { announceExpiry: true, expiryAnnouncedAt: null, status: 'active', validUntil: { $lte: now } },
      { orderBy: { validUntil: 'asc' }, limit: 500 },
    );
  const run: ExpiryRun = { announced: 0, skipped: 0 };
  for (const found of due) {
    const stale = now.getTime() - found.validUntil.getTime() > EXPIRY_LOOKBACK_MS;
    const outcome = await database.fork({ comune: found.comune }).transactional(async (em) => {
      const marked = await em.nativeUpdate(
        AlertEntity,
        { id: found.id, expiryAnnouncedAt: null, status: 'active' },
        { expiryAnnouncedAt: now },
      );
      // Another run marked it first (or staff cancelled it meanwhile): theirs is the message.
      if (marked !== 1) return 'taken';
      if (stale) return 'skipped';
      const alert = await em.findOneOrFail(AlertEntity, { id: found.id }, { refresh: true });
      recordEvent(em, alertEvent('alert.expired', alert, await namedAudience(em, alert), null, now));
      return 'announced';
    });
    if (outcome === 'announced') run.announced += 1;
    if (outcome === 'skipped') run.skipped += 1;
  }
  return run;
}

/** When the next alert asking for an end notice ends, if any (to wake up on time). */
export async function nextExpiry(database: Database): Promise<Date | null> {
  const next = await database
    .forkUnscoped()
    .findOne(
      AlertEntity,
      { announceExpiry: true, expiryAnnouncedAt: null, status: 'active' },
      { orderBy: { validUntil: 'asc' }, fields: ['validUntil'] },
    );
  return next?.validUntil ?? null;
}
