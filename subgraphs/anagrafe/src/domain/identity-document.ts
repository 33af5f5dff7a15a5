import type { DocumentKind } from '@sportello/schema';
import {
  addDays,
  addYears,
  ageOn,
  daysBetween,
  firstBirthdayOnOrAfter,
  lastBirthdayOnOrBefore,
  type IsoDate,
} from '@sportello/platform';

/**
 * Last day on which a paper identity card is valid, whatever date it shows: under Regulation (EU)
 * 2019/1157 cards without a machine-readable zone stop being valid on 3 August 2026, so the card
 * is expired from the 4th.
 */
export const PAPER_CARD_LAST_VALID_DAY: IsoDate = '2026-08-03';

/** A CIE can be renewed from this many days before it expires. */
export const RENEWAL_WINDOW_DAYS = 180;

/** How long a CIE lasts, by the holder's age on the day of issue. */
export interface CieValidityRule {
  /** Age band at issue: under 3, 3 to 17, 18 or more. */
  band: 'under-3' | '3-to-18' | 'adult';
  years: number;
}

/** The validity band of a CIE issued to someone aged `age` (completed years). */
export function cieValidityRule(age: number): CieValidityRule {
  if (age < 3) return { band: 'under-3', years: 3 };
  if (age < 18) return { band: '3-to-18', years: 5 };
  return { band: 'adult', years: 10 };
}

/**
 * Expiry date (last valid day) of a CIE issued on `issuedOn` to someone born on `birthDate`:
 *
 * - under 3 at issue: 3 years, extended to the first birthday on or after the end of that period;
 * - aged 3 to 17 at issue: 5 years, extended the same way;
 * - aged 18 or more at issue: 10 years at most, cut back to the last birthday on or before the end
 *   of that period.
 *
 * A card issued on a birthday therefore expires exactly 3, 5 or 10 years later; someone born on
 * 29 February has their birthday on 28 February in common years.
 *
 * @throws RangeError when the card would be issued before the holder was born.
 */
export function cieExpiry(birthDate: IsoDate, issuedOn: IsoDate): IsoDate {
  if (issuedOn < birthDate) {
    throw new RangeError(`a card cannot be issued (${issuedOn}) before its holder is born (${birthDate})`);
  }
  const rule = cieValidityRule(ageOn(birthDate, issuedOn));
  const endOfPeriod = addYears(issuedOn, rule.years);
  return rule.band === 'adult'
    ? lastBirthdayOnOrBefore(birthDate, endOfPeriod)
    : firstBirthdayOnOrAfter(birthDate, endOfPeriod);
}

/**
 * The date from which a document no longer counts: the CIE rule for CIEs, and for paper cards the
 * earlier of the printed date and {@link PAPER_CARD_LAST_VALID_DAY}.
 */
export function effectiveExpiry(kind: DocumentKind, printedExpiry: IsoDate): IsoDate {
  return kind === 'paper' && printedExpiry > PAPER_CARD_LAST_VALID_DAY
    ? PAPER_CARD_LAST_VALID_DAY
    : printedExpiry;
}

/** What a document's dates mean on a given day. */
export interface DocumentValidity {
  /** Valid through `expiresOn` included. */
  valid: boolean;
  expiresOn: IsoDate;
  /** Days from `today` to `expiresOn` (negative once expired). */
  daysLeft: number;
  /** First day a renewal can be requested. */
  renewableFrom: IsoDate;
  renewalOpen: boolean;
}

/** Validity of a document that expires on `expiresOn`, as seen on `today`. */
export function documentValidity(expiresOn: IsoDate, today: IsoDate): DocumentValidity {
  const renewableFrom = addDays(expiresOn, -RENEWAL_WINDOW_DAYS);
  return {
    valid: today <= expiresOn,
    expiresOn,
    daysLeft: daysBetween(today, expiresOn),
    renewableFrom,
    renewalOpen: today >= renewableFrom,
  };
}

/** Days before expiry at which holders are reminded, by default. */
export const DEFAULT_REMINDER_OFFSETS: readonly number[] = [180, 30, 7];

/**
 * The reminder due for a document with `daysLeft` days before expiry: the smallest configured
 * offset not below `daysLeft`, so a document first seen 20 days before expiry gets the 30-day
 * reminder once, not the 180- and 30-day ones together. `null` when none is due.
 */
export function dueReminderOffset(daysLeft: number, offsets: readonly number[]): number | null {
  if (daysLeft < 0) return null;
  const reached = offsets.filter((offset) => offset >= daysLeft);
  return reached.length === 0 ? null : Math.min(...reached);
}
