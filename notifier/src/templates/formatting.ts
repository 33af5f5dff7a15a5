import type { Language } from '../channels/channel.js';

const LOCALE: Record<Language, string> = { it: 'it-IT', en: 'en-GB', de: 'de-DE' };
/** Dates are shown in the comune's time zone whatever the server's is. */
const TIME_ZONE = 'Europe/Rome';

/**
 * One formatter per language and shape, made on first use: building an `Intl` formatter costs far
 * more than formatting with it, and a billing run formats a date and an amount for every notice.
 */
function formatterCache<F>(make: (locale: string) => F): (language: Language) => F {
  const made = new Map<Language, F>();
  return (language) => {
    let formatter = made.get(language);
    if (formatter === undefined) {
      formatter = make(LOCALE[language]);
      made.set(language, formatter);
    }
    return formatter;
  };
}

/** A calendar date in the comune's time zone. */
const DATE: Intl.DateTimeFormatOptions = {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
};
const dateFormat = formatterCache((locale) => new Intl.DateTimeFormat(locale, DATE));
const dateTimeFormat = formatterCache(
  (locale) => new Intl.DateTimeFormat(locale, { ...DATE, hour: '2-digit', minute: '2-digit' }),
);
const euroFormat = formatterCache(
  (locale) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', useGrouping: 'always' }),
);

/** A calendar date, e.g. `16/06/2025` (it), `16/06/2025` (en), `16.06.2025` (de). */
export function formatDate(value: Date | string, language: Language): string {
  return dateFormat(language).format(new Date(value));
}

/** A date and time, e.g. `16/06/2025, 09:30`. */
export function formatDateTime(value: Date | string, language: Language): string {
  return dateTimeFormat(language).format(new Date(value));
}

/** Euro cents as money, e.g. `1.020,99 €` (it, de) or `€1,020.99` (en). */
export function formatEuro(cents: number, language: Language): string {
  return euroFormat(language).format(cents / 100);
}

/** A pagoPA notice number in groups of four, as printed on the notice. */
export function formatNoticeNumber(noticeNumber: string): string {
  return noticeNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
}
