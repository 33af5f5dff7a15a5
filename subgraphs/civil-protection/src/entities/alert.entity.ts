import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { ALERT_COLOURS, ALERT_STATUSES, HAZARDS, OPERATIONAL_PHASES } from '../domain/alert.js';

/** An alert of the comune, with the times of every message sent about it (issue, updates, cancellation). */
export const AlertEntity = defineEntity({
  name: 'Alert',
  tableName: 'alert',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    hazard: p.enum(HAZARDS),
    colour: p.enum(ALERT_COLOURS),
    wholeComune: p.boolean(),
    /** Concerned zone codes, sorted; empty when `wholeComune`. */
    zoneCodes: p.json<string[]>(),
    validFrom: p.datetime(),
    validUntil: p.datetime().index(),
    phase: p.enum(OPERATIONAL_PHASES).nullable(),
    headline: p.string().length(160).nullable(),
    instructions: p.text(),
    bulletinReference: p.string().length(200).nullable(),
    status: p.enum(ALERT_STATUSES).index(),
    /** ISO instants of every message (CAP `sent`), oldest first; the CAP identifiers follow from it. */
    messageTimes: p.json<string[]>(),
    issuedBy: p.string().length(200),
    issuedAt: p.datetime(),
    updatedAt: p.datetime(),
    cancelledAt: p.datetime().nullable(),
    cancelReason: p.text().nullable(),
    /**
     * Set once the alert went out red: every later message about it (a downgrade, the all-clear,
     * its end) is critical too, so it reaches everyone the red alert reached.
     */
    reachedCritical: p.boolean().default(false),
    /** Staff asked that everyone reached hear when the alert is over (`alert.expired`). */
    announceExpiry: p.boolean().default(false),
    /** When the end of the alert was announced; null until then (or when nobody asked). */
    expiryAnnouncedAt: p.datetime().nullable(),
  },
});
export type Alert = InferEntity<typeof AlertEntity>;
