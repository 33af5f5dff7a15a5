import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { istatCodeSchema } from '../scalars/istat-code.js';
import { noticeNumberSchema } from '../scalars/notice-number.js';
import { organizationFiscalCodeSchema } from '../scalars/organization-fiscal-code.js';
import { EVENTS } from './catalogue.js';
import { PRODUCERS, type EventDefinition } from './define-event.js';
import { laneOf } from './lanes.js';

/** Shared scalars are named, not expanded: their rules live with the scalar. */
const SCALAR_NAMES = new Map<unknown, string>([
  [fiscalCodeSchema, 'FiscalCode'],
  [organizationFiscalCodeSchema, 'OrganizationFiscalCode'],
  [noticeNumberSchema, 'NoticeNumber'],
  [istatCodeSchema, 'IstatCode'],
]);

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  notes: string;
}

/** What zod's string and number schemas expose about their checks. */
interface LeafInfo {
  format?: string | null;
  maxLength?: number | null;
  isInt?: boolean;
  minValue?: number | null;
  maxValue?: number | null;
}

function stringType(info: LeafInfo): string {
  switch (info.format) {
    case 'date':
      return 'date `YYYY-MM-DD`';
    case 'datetime':
      return 'date-time (ISO 8601, with offset)';
    case 'uuid':
      return 'UUID';
    default:
      return typeof info.maxLength === 'number' ? `string (max ${info.maxLength})` : 'string';
  }
}

function numberType(info: LeafInfo): string {
  const kind = info.isInt ? 'integer' : 'number';
  const min = info.minValue ?? undefined;
  const max = info.maxValue ?? undefined;
  const bounded = max !== undefined && max < Number.MAX_SAFE_INTEGER;
  if (min !== undefined && min > Number.MIN_SAFE_INTEGER && bounded) return `${kind} ${min}-${max}`;
  if (min !== undefined && min > Number.MIN_SAFE_INTEGER) return `${kind} >= ${min}`;
  return kind;
}

/** Type of a leaf schema, as written in the table; objects are expanded by the caller. */
function typeOf(schema: z.ZodType): string {
  const scalar = SCALAR_NAMES.get(schema);
  if (scalar) return scalar;
  if (schema instanceof z.ZodNullable) return `${typeOf(schema.unwrap() as z.ZodType)} or null`;
  if (schema instanceof z.ZodEnum) {
    return (schema.options as string[]).map((option) => `\`${option}\``).join(', ');
  }
  if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType;
    const inner = typeOf(element);
    return `list of ${inner}${schema.safeParse([]).success ? '' : ' (at least one)'}`;
  }
  const info = schema as unknown as LeafInfo;
  if (schema.type === 'string') return stringType(info);
  if (schema.type === 'number') return numberType(info);
  if (schema.type === 'boolean') return 'boolean';
  throw new Error(`events doc: no rendering for a ${schema.type} schema`);
}

function rowsOf(schema: z.ZodObject, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [key, value] of Object.entries(schema.shape)) {
    let field = value as z.ZodType;
    const notes = field.description ?? '';
    let required = true;
    if (field instanceof z.ZodOptional) {
      required = false;
      field = field.unwrap() as z.ZodType;
    }
    const path = `${prefix}${key}`;
    if (field instanceof z.ZodObject) {
      rows.push({ path, type: 'object', required, notes });
      rows.push(...rowsOf(field, `${path}.`));
    } else {
      rows.push({ path, type: typeOf(field), required, notes: notes || (field.description ?? '') });
    }
  }
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderEvent(definition: EventDefinition): string {
  const data = definition.data;
  if (!(data instanceof z.ZodObject)) throw new Error(`events doc: ${definition.type} data is not an object`);
  const rows = rowsOf(data).map(
    (row) => `| \`${row.path}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.notes)} |`,
  );
  return [
    `### \`${definition.type}\` (v${definition.version})`,
    '',
    `Producer: ${definition.producer}. Consumers: ${definition.consumers.join(', ')}. Lane: ${laneOf(definition.type)}.`,
    '',
    definition.description,
    '',
    '| field | type | required | notes |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * EVENTS.md, rendered from the catalogue so the document cannot drift from the code
 * (a test compares the committed file with this output).
 */
export function renderEventsDoc(): string {
  const definitions = Object.values(EVENTS) as EventDefinition[];
  const summary = definitions.map(
    (d) =>
      `| [\`${d.type}\`](#${d.type.replace(/\./g, '')}-v${d.version}) | ${d.version} | ${d.producer} | ${laneOf(d.type)} | ${d.consumers.join(', ')} |`,
  );
  const sections = PRODUCERS.flatMap((producer) => {
    const own = definitions.filter((d) => d.producer === producer);
    return own.length === 0 ? [] : [`## ${producer}`, '', ...own.map((d) => `${renderEvent(d)}\n`)];
  });
  return `${[
    '# Sportello events',
    '',
    '<!-- Generated from src/events/ by `npm run generate:events-doc`: edit the catalogue, not this file. -->',
    '',
    'Every event crossing a service boundary is defined once in `@sportello/schema` (`EVENTS`).',
    'Producers build events with `createEvent` and publish the output of `serializeEvent`;',
    'consumers read them with `parseEvent`, which rejects unknown types and versions. Consumers never',
    'copy a schema.',
    '',
    '## Envelope',
    '',
    '| field | type | notes |',
    '| --- | --- | --- |',
    '| `id` | UUID v7 | time-ordered; the bus de-duplication key and the inbox key of consumers |',
    '| `type` | string | `<entity>.<what-happened>`, a key of the catalogue |',
    '| `version` | integer | version of the data schema of `type` |',
    '| `occurredAt` | date-time (ISO 8601, with offset) | when it happened, not when it was published |',
    '| `comune` | string, 6 digits | ISTAT code of the comune the event belongs to |',
    '| `subject` | string | public key of the entity the event is about; order is kept per subject |',
    '| `actor` | `{ kind, id }` or null | `kind` is citizen, staff, client or system; `id` is a public id, never a fiscal code |',
    '| `data` | object | the fields listed for each type below |',
    '',
    '## Bus subjects',
    '',
    '`sportello.<comune>.<producer>.<type>`, e.g. `sportello.058091.practices.practice.submitted`',
    '(`busSubject(event)`). Consumers subscribe with NATS wildcards: `sportello.*.practices.>` for',
    'everything practices publishes (`busSubjectPattern({ producer: "practices" })`).',
    '',
    '## Lanes',
    '',
    'Every event type has a lane (`laneOf(type)`, `EVENT_LANES`): `critical` (alerts, urgent',
    'ordinances, revocations), `interactive` (what a person is waiting for: practice changes,',
    'messages, appointments, payments received) or `bulk` (reminders, billing runs, the audit trail).',
    'Outbox relays publish, bus consumers handle and the notifier plans and sends higher lanes first,',
    'so a bulk backlog never holds back an alert or a live view. Order is kept per subject within a',
    'lane.',
    '',
    '## Rules',
    '',
    '- Any change a consumer could notice bumps `version`; consumers reject versions they do not know.',
    '- Personal data is kept to fiscal codes, which consumers need to find recipients. Names,',
    '  postal addresses, email addresses and chat ids never travel on the bus: consumers ask identity',
    '  or anagrafe for them.',
    '- Shared scalars (`FiscalCode`, `OrganizationFiscalCode`, `NoticeNumber`, `IstatCode`) are',
    '  validated in full (check characters, real dates) whenever an event is created or parsed.',
    '',
    '## Catalogue',
    '',
    '| type | version | producer | lane | consumers |',
    '| --- | --- | --- | --- | --- |',
    ...summary,
    '',
    ...sections,
  ]
    .join('\n')
    .trimEnd()}\n`;
}

/**
 * {@link renderEventsDoc} formatted as the repository formats Markdown, i.e. exactly what EVENTS.md
 * must contain.
 *
 * @param filepath where EVENTS.md lives, to pick up the formatting configuration.
 */
export async function formattedEventsDoc(filepath: string): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return format(renderEventsDoc(), { ...options, filepath });
}
