import type { Language } from '../channels/channel.js';

const LOCALE: Record<Language, string> = { it: 'it-IT', en: 'en-GB', de: 'de-DE' };
/** Dates are shown in the comune's time zone whatever the server's is. */
const TIME_ZONE = 'Europe/Rome';

/** A calendar date, e.g. `16/06/2025` (it), `16/06/2025` (en), `16.06.2025` (de). */
export function formatDate(value: Date | string, language: Language): string {
  return new Intl.DateTimeFormat(LOCALE[language], {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(new Date(value));
}

/** A date and time, e.g. `16/06/2025, 09:30`. */
export function formatDateTime(value: Date | string, language: Language): string {
  return new Intl.DateTimeFormat(LOCALE[language], {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(value));
}

/** Euro cents as money, e.g. `1.020,99 €` (it, de) or `€1,020.99` (en). */
export function formatEuro(cents: number, language: Language): string {
  return new Intl.NumberFormat(LOCALE[language], {
    style: 'currency',
    currency: 'EUR',
    useGrouping: 'always',
  }).format(cents / 100);
}

/** A pagoPA notice number in groups of four, as printed on the notice. */
export function formatNoticeNumber(noticeNumber: string): string {
  return noticeNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
}
