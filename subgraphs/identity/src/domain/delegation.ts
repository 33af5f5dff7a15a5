import { birthdayIn, startOfCivilDay } from '@sportello/platform';

/** Why a citizen may act for another person. */
export const DELEGATION_KINDS = ['minor-child', 'delegating-adult'] as const;
export type DelegationKind = (typeof DELEGATION_KINDS)[number];

/** The parts of a delegation that decide whether it is in force. */
export interface DelegationWindow {
  validFrom: Date;
  /** `null` for a delegation with no end (a minor child's, until revoked at majority). */
  validUntil: Date | null;
  revokedAt: Date | null;
}

/** Whether a delegation lets its delegate act at `now`: inside its window and not revoked. */
export function isDelegationActive(delegation: DelegationWindow, now: Date): boolean {
  if (delegation.revokedAt !== null && delegation.revokedAt <= now) return false;
  if (delegation.validFrom > now) return false;
  return delegation.validUntil === null || delegation.validUntil > now;
}

/**
 * Checks a new delegation's window.
 *
 * @returns the problem, or `undefined` when the window is acceptable.
 */
export function delegationWindowProblem(
  window: { validFrom: Date; validUntil: Date | null },
  now: Date,
): string | undefined {
  if (Number.isNaN(window.validFrom.getTime())) return 'validFrom is not a valid date';
  if (window.validUntil !== null) {
    if (Number.isNaN(window.validUntil.getTime())) return 'validUntil is not a valid date';
    if (window.validUntil <= window.validFrom) return 'validUntil must be after validFrom';
    if (window.validUntil <= now) return 'validUntil is already in the past';
  }
  return undefined;
}

/** Age of majority: a parent's delegation for a child ends on the 18th birthday. */
export const AGE_OF_MAJORITY = 18;

/** The 18th birthday of someone born on `birthDate`. */
export function majorityDay(birthDate: string): string {
  return birthdayIn(birthDate, Number(birthDate.slice(0, 4)) + AGE_OF_MAJORITY);
}

/**
 * When a parent's delegation for a child born on `birthDate` ends: the start of the 18th birthday,
 * so it is in force up to the end of the day before.
 */
export function minorDelegationEnd(birthDate: string): Date {
  return startOfCivilDay(majorityDay(birthDate));
}
