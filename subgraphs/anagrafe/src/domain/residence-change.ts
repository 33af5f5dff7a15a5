import type { ResidenceChangeStatus } from '@sportello/schema';
import { addDays, addWorkingDays, daysBetween, type IsoDate } from '@sportello/platform';

/** Working days the office has to register a declaration (DPR 223/1989, art. 18 as amended by L. 35/2012, art. 5). */
export const REGISTRATION_WORKING_DAYS = 2;

/** Days the office has to check a registered declaration; then it is accepted by silence. */
export const SILENT_APPROVAL_DAYS = 45;

/** Days the citizen has to answer a notice of obstacles. */
export const OBSTACLE_REPLY_DAYS = 10;

/** Every move a declaration can make, and who makes it. */
export const RESIDENCE_CHANGE_TRANSITIONS = {
  register: { from: ['declared'], to: 'registered', by: 'staff' },
  notifyObstacles: { from: ['registered'], to: 'obstacles-notified', by: 'staff' },
  accept: { from: ['registered', 'obstacles-notified'], to: 'accepted', by: 'staff' },
  reject: { from: ['obstacles-notified'], to: 'rejected', by: 'staff' },
  withdraw: { from: ['declared', 'registered', 'obstacles-notified'], to: 'withdrawn', by: 'citizen' },
  silentApproval: { from: ['registered'], to: 'accepted', by: 'system' },
} as const satisfies Record<
  string,
  { from: readonly ResidenceChangeStatus[]; to: ResidenceChangeStatus; by: 'staff' | 'citizen' | 'system' }
>;
export type ResidenceChangeAction = keyof typeof RESIDENCE_CHANGE_TRANSITIONS;

/** Final states: nothing moves a declaration out of them. */
export const FINAL_STATUSES: readonly ResidenceChangeStatus[] = ['accepted', 'rejected', 'withdrawn'];

/** The dates that drive a declaration. */
export interface ResidenceChangeDates {
  status: ResidenceChangeStatus;
  declaredOn: IsoDate;
  obstaclesNotifiedOn: IsoDate | null;
}

/** Why an action is not allowed now, or `null` when it is. */
export function refusal(
  action: ResidenceChangeAction,
  change: ResidenceChangeDates,
  today: IsoDate,
): string | null {
  const transition = RESIDENCE_CHANGE_TRANSITIONS[action];
  if (!(transition.from as readonly ResidenceChangeStatus[]).includes(change.status)) {
    return `a declaration that is ${change.status} cannot be moved to ${transition.to} (allowed from: ${transition.from.join(', ')})`;
  }
  if (action === 'reject') {
    const replyDue = replyDueOn(change);
    if (replyDue !== null && today <= replyDue) {
      return `the citizen can answer the notice of obstacles until ${replyDue}: reject after that day`;
    }
  }
  if (action === 'silentApproval' && !silentlyApproved(change, today)) {
    return `the ${SILENT_APPROVAL_DAYS}-day check period has not ended`;
  }
  return null;
}

/** Last day to answer a notice of obstacles, or `null` when none was sent. */
export function replyDueOn(change: Pick<ResidenceChangeDates, 'obstaclesNotifiedOn'>): IsoDate | null {
  return change.obstaclesNotifiedOn === null
    ? null
    : addDays(change.obstaclesNotifiedOn, OBSTACLE_REPLY_DAYS);
}

/** Last day of the check period: 45 days from the declaration (the effect starts from it). */
export function checkDeadline(change: Pick<ResidenceChangeDates, 'declaredOn'>): IsoDate {
  return addDays(change.declaredOn, SILENT_APPROVAL_DAYS);
}

/**
 * Whether a registered declaration without outcome is accepted by silence on `today`: more than
 * 45 days have passed since the declaration and no obstacle was notified.
 */
export function silentlyApproved(change: ResidenceChangeDates, today: IsoDate): boolean {
  return change.status === 'registered' && daysBetween(change.declaredOn, today) > SILENT_APPROVAL_DAYS;
}

/** Last day to register a declaration: the 2nd working day after it was made. */
export function registrationDueBy(change: Pick<ResidenceChangeDates, 'declaredOn'>): IsoDate {
  return addWorkingDays(change.declaredOn, REGISTRATION_WORKING_DAYS);
}

/** Whether a declaration still waits for registration after its 2-working-day term. */
export function registrationOverdue(
  change: Pick<ResidenceChangeDates, 'status' | 'declaredOn'>,
  today: IsoDate,
): boolean {
  return change.status === 'declared' && today > registrationDueBy(change);
}

/**
 * The last declaration day whose registration term is over on `today`: a declaration is overdue
 * exactly when it is still `declared` and was made on or before this day. A later declaration is
 * never due earlier (the working days after a day include those after any later one), so the overdue
 * declarations are those up to one day, and a list can ask the database for them by `declaredOn`
 * alone while the working-day calendar stays in code.
 */
export function lastOverdueDeclarationDay(today: IsoDate): IsoDate {
  // A declaration made yesterday is due tomorrow at the earliest: start there and step back.
  let day = addDays(today, -1);
  while (registrationDueBy({ declaredOn: day }) >= today) day = addDays(day, -1);
  return day;
}

/** Why the applicant cannot reply to the notice of obstacles now, or `null` when they can. */
export function replyRefusal(change: ResidenceChangeDates, today: IsoDate): string | null {
  if (change.status !== 'obstacles-notified') {
    return `a declaration that is ${change.status} has no notice of obstacles to answer`;
  }
  const due = replyDueOn(change);
  if (due !== null && today > due) {
    return `the ${OBSTACLE_REPLY_DAYS} days to answer the notice of obstacles ended on ${due}`;
  }
  return null;
}
