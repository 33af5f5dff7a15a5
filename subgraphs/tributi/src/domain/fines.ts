import { addDays, civilDate } from '@sportello/platform';

/**
 * How fines (contravvenzioni) are reduced when paid promptly: the reduced amount applies when the
 * payment is made within `reducedWithinDays` days of the notification (Codice della strada art.
 * 202: 5 days, 30% off). Both are settings, since the rule changes with the law and the violation.
 */
export interface FineRules {
  /** @default 5 */
  reducedWithinDays: number;
  /** Discount applied when no reduced amount is given. @default 30 */
  reductionPercent: number;
}

export const DEFAULT_FINE_RULES: FineRules = { reducedWithinDays: 5, reductionPercent: 30 };

/** What decides the amount of a fine. */
export interface FineTerms {
  amountCents: number;
  reducedAmountCents: number;
  /** `YYYY-MM-DD`. */
  notifiedOn: string;
}

/** The reduced amount when the office gives none: `reductionPercent` off, rounded to the cent. */
export function defaultReducedAmount(amountCents: number, rules: FineRules = DEFAULT_FINE_RULES): number {
  return Math.round((amountCents * (100 - rules.reductionPercent)) / 100);
}

/** Last day the reduced amount can be paid, `YYYY-MM-DD`. */
export function reducedUntil(notifiedOn: string, rules: FineRules = DEFAULT_FINE_RULES): string {
  return addDays(notifiedOn, rules.reducedWithinDays);
}

/** What the fine costs when paid at `paidAt` (Italian calendar day). */
export function fineAmountDue(terms: FineTerms, paidAt: Date, rules: FineRules = DEFAULT_FINE_RULES): number {
  return civilDate(paidAt) <= reducedUntil(terms.notifiedOn, rules)
    ? terms.reducedAmountCents
    : terms.amountCents;
}
