/** Largest amount of one notice, in cents (pagoPA and App IO accept up to 9999999999). */
export const MAX_AMOUNT_CENTS = 9_999_999_999;

/**
 * An amount in euro as printed on a notice: thousands with `.`, cents with `,` (`1.020,99`).
 * Integer arithmetic on cents: no float rounding.
 */
export function formatEuroAmount(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`expected whole cents, got ${cents}`);
  const euros = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${rest}`;
}

/** Why an amount is not payable, or `undefined` when it is. */
export function amountProblem(cents: number): string | undefined {
  if (!Number.isInteger(cents)) return `must be a whole number of cents, got ${cents}`;
  if (cents < 1) return `must be at least 1 cent, got ${cents}`;
  if (cents > MAX_AMOUNT_CENTS) return `must be at most ${MAX_AMOUNT_CENTS} cents, got ${cents}`;
  return undefined;
}

/**
 * Splits a total into `parts` instalments that add up to it exactly: equal shares, the cents left
 * over go to the first instalment (so later ones are the round amounts people expect).
 *
 * @throws RangeError when a share would be less than a cent.
 */
export function splitAmount(totalCents: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be 1 or more, got ${parts}`);
  const share = Math.floor(totalCents / parts);
  if (share < 1) throw new RangeError(`${totalCents} cents cannot be split into ${parts} instalments`);
  const shares = Array.from({ length: parts }, () => share);
  shares[0] = totalCents - share * (parts - 1);
  return shares;
}
