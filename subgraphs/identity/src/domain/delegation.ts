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

/** The time zone of the comuni's calendar: a day, a birthday, "today" are counted here. */
export const CIVIL_TIME_ZONE = 'Europe/Rome';

/** Age of majority: a parent's delegation for a child ends on the 18th birthday. */
export const AGE_OF_MAJORITY = 18;

/** The calendar day (`YYYY-MM-DD`) of `at` in {@link CIVIL_TIME_ZONE}. */
export function civilDate(at: Date): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: CIVIL_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The instant a calendar day starts in {@link CIVIL_TIME_ZONE} (00:00, summer time or not). */
export function startOfCivilDay(day: string): Date {
  const midnightUtc = new Date(`${day}T00:00:00Z`);
  // The zone's offset at that moment, read back from its wall clock (1 or 2 hours for Rome).
  const wall = new Intl.DateTimeFormat('en-GB', {
    timeZone: CIVIL_TIME_ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(midnightUtc);
  const part = (type: string) => Number(wall.find((entry) => entry.type === type)?.value);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return new Date(midnightUtc.getTime() - (asUtc - midnightUtc.getTime()));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The birthday of someone born on `birthDate` in `year`; someone born on 29 February has it on
 * 28 February in common years (the year of age is complete on the last day of the month, art.
 * 2963 c.c., as anagrafe counts it).
 */
export function birthdayIn(birthDate: string, year: number): string {
  const [, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  const clamped = Math.min(day, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(clamped).padStart(2, '0')}`;
}

/** Age in completed years on the day `on` (`YYYY-MM-DD`). */
export function ageOn(birthDate: string, on: string): number {
  const year = Number(on.slice(0, 4));
  const years = year - Number(birthDate.slice(0, 4));
  return birthdayIn(birthDate, year) <= on ? years : years - 1;
}

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
