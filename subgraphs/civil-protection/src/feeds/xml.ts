/**
 * The little XML writing the feeds need: escaping and timestamps in the CAP profile of xs:dateTime.
 */

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
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is `GMT+01:00`, and `GMT` or `GMT+00:00` at offset zero; CAP writes UTC as `-00:00`.
  const raw = part('timeZoneName').replace('GMT', '');
  const offset = raw === '' || raw === '+00:00' ? '-00:00' : raw;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}
