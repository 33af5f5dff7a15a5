import type { EventType } from './catalogue.js';

/**
 * How urgent the work an event starts is. Relays, bus consumers and the notifier's planner and
 * dispatcher serve a higher lane first, so a backlog of bulk work never delays an alert or a clerk's
 * live view:
 *
 * - `critical`: lives may depend on it or access must end now: alerts (issued, updated, cancelled,
 *   ended), urgent ordinances, revocations;
 * - `interactive`: a person is waiting for it: practice changes, messages, appointments, payments
 *   received, contact and preference changes, delivery stats of staff dashboards;
 * - `bulk`: work in batches nobody watches live: reminders and due dates, billing runs, expiring
 *   documents, the audit trail.
 */
export const LANES = ['critical', 'interactive', 'bulk'] as const;
export type Lane = (typeof LANES)[number];

/**
 * The lane of every event type, kept beside the catalogue: a type missing here does not compile.
 * Order is kept per subject within a lane; events of one subject in different lanes (a position
 * created by a billing run, then paid) may be handled out of order, which no consumer relies on.
 */
export const EVENT_LANES: { readonly [T in EventType]: Lane } = Object.freeze({
  // identity
  'citizen.registered': 'interactive',
  'citizen.contact-verified': 'interactive',
  'citizen.telegram-linked': 'interactive',
  'citizen.telegram-unlinked': 'interactive',
  'citizen.preferences-changed': 'interactive',
  // Ends live tokens within a second: never behind a backlog.
  'access.revoked': 'critical',
  'delegation.ended': 'interactive',
  // anagrafe
  'resident.registered': 'interactive',
  'resident.address-changed': 'interactive',
  'certificate.issued': 'interactive',
  'certificate.payment-requested': 'interactive',
  'document.expiring': 'bulk',
  'document.expired': 'bulk',
  'residence-change.status-changed': 'interactive',
  // tributi: a billing run creates positions by the thousand; a payment is a person at the till.
  'payment.position-created': 'bulk',
  'payment.received': 'interactive',
  'payment.due-soon': 'bulk',
  'payment.overdue': 'bulk',
  'payment.position-cancelled': 'interactive',
  // A citizen waits on the request whose fee could not be billed.
  'payment.fee-refused': 'interactive',
  // A clerk watches the run's progress live; a few events per run, not one per position.
  'payment.bulk-job-changed': 'interactive',
  // practices
  'practice.submitted': 'interactive',
  'practice.status-changed': 'interactive',
  'practice.integration-requested': 'interactive',
  'practice.message-posted': 'interactive',
  'practice.payment-requested': 'interactive',
  'practice.fee-exempted': 'interactive',
  'appointment.booked': 'interactive',
  'appointment.changed': 'interactive',
  'appointment.cancelled': 'interactive',
  'appointment.reminder': 'bulk',
  'report.status-changed': 'interactive',
  // civil protection: alerts and the mayor's urgent ordinances
  'alert.issued': 'critical',
  'alert.updated': 'critical',
  'alert.cancelled': 'critical',
  'alert.expired': 'critical',
  'ordinance.published': 'critical',
  // notifier: the staff's live delivery counters
  'delivery.stats-changed': 'interactive',
  // platform
  'audit.personal-data-read': 'bulk',
});

/** Rank of a lane: 0 for `critical`, the most urgent, up to 2 for `bulk`. */
export function laneRank(lane: Lane): number {
  return LANES.indexOf(lane);
}

/**
 * The lane of an event type. A type outside the catalogue (an event from a newer producer) is
 * `interactive`: neither ahead of alerts nor behind a billing run.
 */
export function laneOf(type: string): Lane {
  return Object.hasOwn(EVENT_LANES, type) ? EVENT_LANES[type as EventType] : 'interactive';
}

/** The event types of a lane, in catalogue order. */
export function typesOfLane(lane: Lane): EventType[] {
  return (Object.keys(EVENT_LANES) as EventType[]).filter((type) => EVENT_LANES[type] === lane);
}
