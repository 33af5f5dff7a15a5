/**
 * The little XML writing the feeds need: escaping and timestamps in the CAP profile of xs:dateTime.
 */
import { zonedDateTime } from '@sportello/platform';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for element content and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!)
  );
}

/** `<name>text</name>`, or nothing when the value is absent. */
export function element(name: string, value: string | null | undefined, indent: string): string {
  return value === null || value === undefined ? '' : `${indent}<${name}>${escapeXml(value)}</${name}>\n`;
}

/**
 * A timestamp as CAP 1.2 wants it: seconds precision and a numeric offset, never `Z`
 * (`2025-11-03T14:00:00+01:00`), in the comune's local time so people read their own clock.
 */
export function capDateTime(date: Date, timeZone: string): string {
  const stamp = zonedDateTime(date, timeZone);
  // CAP writes UTC as `-00:00`.
  return stamp.endsWith('+00:00') ? `${stamp.slice(0, -6)}-00:00` : stamp;
}
