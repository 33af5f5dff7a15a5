import {
  BadUserInputError,
  ForbiddenError,
  OFFICES,
  type Office,
  type Principal,
  type Scope,
  UnauthenticatedError,
} from '@sportello/platform';
import { busSubjectPattern, type EventEnvelope, type EventType } from '@sportello/schema';
import { type SubscriptionBinding, type SubscriptionBindings } from './subscription-binding.js';

/** The citizen a subscriber speaks for, and the people they act for (upper case). */
interface Person {
  fiscalCode: string;
  people: ReadonlySet<string>;
}

/**
 * The citizen behind a subscriber: a citizen, or an app acting on a citizen's grant with `scope`;
 * `null` for anyone else.
 */
function personOf(principal: Principal, scope: Scope): Person | null {
  const owner =
    principal.kind === 'citizen'
      ? principal
      : principal.kind === 'client' && principal.onBehalfOf && principal.scopes.includes(scope)
        ? principal.onBehalfOf
        : null;
  if (!owner) return null;
  const people = new Set([owner.fiscalCode, ...owner.actsFor].map((code) => code.toUpperCase()));
  return { fiscalCode: owner.fiscalCode.toUpperCase(), people };
}

function isStaffOf(principal: Principal, office: Office): boolean {
  return principal.kind === 'staff' && principal.offices.includes(office);
}

/** Anonymous subscribers are asked to sign in; everyone else is told they may not. */
function refuse(principal: Principal, message: string): never {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError(`Sign in first: ${message}`);
  throw new ForbiddenError(message, { reason: 'SUBSCRIPTION_FORBIDDEN' });
}

/**
 * Subjects of the subscriber's comune. An anonymous subscriber that named no comune hears every
 * comune: such subscriptions only ever carry public data.
 */
function subjectsOf(principal: Principal, types: readonly EventType[]): string[] {
  const comune = /^\d{6}$/.test(principal.comune) ? principal.comune : undefined;
  return types.map((type) => busSubjectPattern({ ...(comune ? { comune } : {}), type }));
}

/** Whether the event is of the subscriber's comune (or the subscriber named none: public data). */
function sameComune(event: EventEnvelope, principal: Principal): boolean {
  return principal.kind === 'anonymous' && principal.comune === '' ? true : event.comune === principal.comune;
}

function dataOf<T>(event: EventEnvelope): T {
  return event.data as T;
}

interface PracticeEventData {
  practiceId: string;
  office: string;
  applicantFiscalCode: string;
  onBehalfOfFiscalCode?: string | null;
  to?: string;
}

const PRACTICE_STATUS_CHANGED: EventType = 'practice.status-changed';

/** A domain value as the API's enum names it: `taken-in-charge` is `TAKEN_IN_CHARGE`. */
const enumName = (value: string) => value.toUpperCase().replace(/-/g, '_');

/** A practice's change of state: `PracticeUpdate` (the practice itself through practice(id)). */
const practiceChange = {
  entityField: 'practice',
  values(event: EventEnvelope) {
    const data = dataOf<{ from?: string | null; to?: string }>(event);
    // A submission heard by the person the practice is for (not its applicant): it became SUBMITTED.
    const submitted = event.type === 'practice.submitted';
    return {
      eventId: event.id,
      from: !submitted && data.from ? enumName(data.from) : null,
      to: submitted ? 'SUBMITTED' : enumName(data.to ?? 'submitted'),
      at: event.occurredAt,
    };
  },
};
const PRACTICE_SUBMITTED: EventType = 'practice.submitted';

/** `practiceChanged(office)`: staff of that office, every state change of its practices but drafts. */
const practiceChanged: SubscriptionBinding = {
  admit({ args, principal }) {
    const office = args['office'];
    if (typeof office !== 'string' || !(OFFICES as readonly string[]).includes(office)) {
      throw new BadUserInputError(`office must be one of ${OFFICES.join(', ')}`, { field: 'office' });
    }
    if (!isStaffOf(principal, office as Office)) {
      refuse(principal, `only staff of the ${office} office may follow its practices`);
    }
  },
  subjects: ({ principal }) => subjectsOf(principal, [PRACTICE_STATUS_CHANGED]),
  authorize(event, { args, principal }) {
    const data = dataOf<PracticeEventData>(event);
    return (
      event.type === PRACTICE_STATUS_CHANGED &&
      sameComune(event, principal) &&
      data.office === args['office'] &&
      data.to !== 'draft' &&
      isStaffOf(principal, data.office as Office)
    );
  },
  lookup: (event) => ({ field: 'practice', args: { id: dataOf<PracticeEventData>(event).practiceId } }),
  change: practiceChange,
};

/**
 * `myPracticeChanged`: the applicant, the person a practice is filed for, and those acting for
 * either, at every change of state.
 */
const myPracticeChanged: SubscriptionBinding = {
  admit({ principal }) {
    if (!personOf(principal, 'practices')) {
      refuse(principal, 'only a citizen (or an app with the "practices" scope acting for one) has practices');
    }
  },
  subjects: ({ principal }) => subjectsOf(principal, [PRACTICE_STATUS_CHANGED, PRACTICE_SUBMITTED]),
  authorize(event, { principal }) {
    const person = personOf(principal, 'practices');
    if (!person || !sameComune(event, principal)) return false;
    const data = dataOf<PracticeEventData>(event);
    const applicant = person.people.has(data.applicantFiscalCode.toUpperCase());
    const beneficiary = data.onBehalfOfFiscalCode?.toUpperCase();
    const forThem = !!beneficiary && person.people.has(beneficiary);
    if (event.type === PRACTICE_STATUS_CHANGED) return applicant || forThem;
    // The applicant already hears of the submission as a state change: only the person it is for.
    return event.type === PRACTICE_SUBMITTED && !applicant && forThem;
  },
  lookup: (event) => ({ field: 'practice', args: { id: dataOf<PracticeEventData>(event).practiceId } }),
  change: practiceChange,
};

const ALERT_EVENTS: readonly EventType[] = [
  'alert.issued',
  'alert.updated',
  'alert.cancelled',
  'alert.expired',
];

/** What each alert event says happened (`AlertUpdateKind`). */
const ALERT_CHANGE_KINDS: Record<string, string> = {
  'alert.issued': 'ISSUED',
  'alert.updated': 'UPDATED',
  'alert.cancelled': 'CANCELLED',
  'alert.expired': 'EXPIRED',
};

/** `alertChanged`: public, every alert of the comune as it is issued, updated or cancelled. */
const alertChanged: SubscriptionBinding = {
  subjects: ({ principal }) => subjectsOf(principal, ALERT_EVENTS),
  authorize: (event, { principal }) =>
    (ALERT_EVENTS as readonly string[]).includes(event.type) && sameComune(event, principal),
  lookup: (event) => ({
    field: 'alert',
    args: { id: dataOf<{ alertId: string }>(event).alertId },
    comune: event.comune,
  }),
  change: {
    entityField: 'alert',
    values: (event) => ({ eventId: event.id, kind: ALERT_CHANGE_KINDS[event.type], at: event.occurredAt }),
  },
};

/** `ordinancePublished`: public, every ordinance of the comune as it is published. */
const ordinancePublished: SubscriptionBinding = {
  subjects: ({ principal }) => subjectsOf(principal, ['ordinance.published']),
  authorize: (event, { principal }) => event.type === 'ordinance.published' && sameComune(event, principal),
  lookup: (event) => ({
    field: 'ordinance',
    args: { id: dataOf<{ ordinanceId: string }>(event).ordinanceId },
    comune: event.comune,
  }),
};

/** `paymentReceived`: tributi staff hear every payment; a payer (or their app, or delegate) their own. */
const paymentReceived: SubscriptionBinding = {
  admit({ principal }) {
    if (!isStaffOf(principal, 'tributi') && !personOf(principal, 'tributi')) {
      refuse(principal, 'only tributi staff, or a payer for their own notices, may follow payments');
    }
  },
  subjects: ({ principal }) => subjectsOf(principal, ['payment.received']),
  authorize(event, { principal }) {
    if (event.type !== 'payment.received' || !sameComune(event, principal)) return false;
    if (isStaffOf(principal, 'tributi')) return true;
    const payer = dataOf<{ payerFiscalCode: string }>(event).payerFiscalCode.toUpperCase();
    return personOf(principal, 'tributi')?.people.has(payer) ?? false;
  },
  lookup: (event) => ({
    field: 'paymentReceipt',
    args: { noticeNumber: dataOf<{ noticeNumber: string }>(event).noticeNumber },
  }),
};

const BULK_JOB_CHANGED: EventType = 'payment.bulk-job-changed';

/**
 * `paymentBulkJobChanged(id)`: tributi staff, a bulk billing job of their comune as it moves on
 * (every job of the comune without `id`), like the `paymentBulkJob(id)` query it is resolved through.
 */
const paymentBulkJobChanged: SubscriptionBinding = {
  admit({ args, principal }) {
    const id = args['id'];
    if (id !== undefined && id !== null && (typeof id !== 'string' || id === '')) {
      throw new BadUserInputError('id must name a bulk job', { field: 'id' });
    }
    if (!isStaffOf(principal, 'tributi'))
      refuse(principal, 'only tributi staff may follow bulk billing jobs');
  },
  subjects: ({ principal }) => subjectsOf(principal, [BULK_JOB_CHANGED]),
  authorize: (event, { args, principal }) =>
    event.type === BULK_JOB_CHANGED &&
    isStaffOf(principal, 'tributi') &&
    sameComune(event, principal) &&
    (typeof args['id'] !== 'string' || dataOf<{ jobId: string }>(event).jobId === args['id']),
  lookup: (event) => ({ field: 'paymentBulkJob', args: { id: dataOf<{ jobId: string }>(event).jobId } }),
};

/** `deliveryStatsChanged(eventId)`: staff, the delivery counts of one event or of every event. */
const deliveryStatsChanged: SubscriptionBinding = {
  admit({ principal }) {
    if (principal.kind !== 'staff') refuse(principal, 'only staff may follow delivery statistics');
  },
  subjects: ({ principal }) => subjectsOf(principal, ['delivery.stats-changed']),
  authorize(event, { args, principal }) {
    const wanted = args['eventId'];
    return (
      event.type === 'delivery.stats-changed' &&
      principal.kind === 'staff' &&
      sameComune(event, principal) &&
      (typeof wanted !== 'string' || dataOf<{ eventId: string }>(event).eventId === wanted)
    );
  },
  lookup: (event) => ({
    field: 'deliveryStats',
    args: { eventId: dataOf<{ eventId: string }>(event).eventId },
  }),
};

/**
 * The live subscriptions of the Sportello supergraph, each fed by the events of its owning
 * subgraph and resolved through that subgraph's root query with the subscriber's token:
 *
 * - `practiceChanged(office)`: staff of `office`; `practice.status-changed` (drafts excluded);
 *   `practice(id)`.
 * - `myPracticeChanged`: the applicant, the person a practice is for, and people acting for either;
 *   `practice.status-changed`, and `practice.submitted` for the person it is for; `practice(id)`.
 * - `alertChanged`: anyone; `alert.issued`, `alert.updated`, `alert.cancelled`; `alert(id)`.
 * - `ordinancePublished`: anyone; `ordinance.published`; `ordinance(id)`.
 * - `paymentReceived`: tributi staff, and payers for their own notices; `payment.received`;
 *   `paymentReceipt(noticeNumber)`.
 * - `deliveryStatsChanged(eventId)`: staff; `delivery.stats-changed`; `deliveryStats(eventId)`.
 * - `paymentBulkJobChanged(id)`: tributi staff; `payment.bulk-job-changed` of that job (of every
 *   job without `id`); `paymentBulkJob(id)`.
 *
 * Refusals happen at subscribe time (`FORBIDDEN`, `UNAUTHENTICATED` for anonymous callers); each
 * event is then checked against the subscriber again (comune, office, applicant, payer), and the
 * owning subgraph checks once more when it resolves the entity. A binding whose field the
 * supergraph lacks is never used.
 */
export function sportelloSubscriptionBindings(): SubscriptionBindings {
  return {
    practiceChanged,
    myPracticeChanged,
    alertChanged,
    ordinancePublished,
    paymentReceived,
    deliveryStatsChanged,
    paymentBulkJobChanged,
  };
}
