/**
 * Calendar days as the comune counts them: due dates are days (`YYYY-MM-DD`) in Italian time,
 * whatever the server's time zone, so a payment at 00:30 on the due day is on time.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ROME = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Whether `value` is a real calendar day written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** The day an instant falls on in Italy, `YYYY-MM-DD`. */
export function italianDay(instant: Date): string {
  return ROME.format(instant);
}

/** `day` moved by `days` (negative goes back). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A day as printed on a notice: `dd/mm/yyyy`. */
export function formatItalianDate(day: string): string {
  const match = ISO_DATE.exec(day);
  if (match === null) throw new RangeError(`expected a YYYY-MM-DD day, got "${day}"`);
  return `${match[3]}/${match[2]}/${match[1]}`;
}
