import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { isoDate, isoDateTime, publicId, zoneCode } from './fields.js';

/** Risks a civil-protection bulletin can report. */
export const HAZARDS = [
  'hydrogeological',
  'hydraulic',
  'thunderstorms',
  'wind',
  'snow',
  'ice',
  'storm-surge',
  'avalanches',
  'coastal',
] as const;
export type Hazard = (typeof HAZARDS)[number];

/** Alert colours: green none, yellow ordinary, orange moderate, red high criticality. */
export const ALERT_COLOURS = ['green', 'yellow', 'orange', 'red'] as const;
export type AlertColour = (typeof ALERT_COLOURS)[number];

/** Operational phases of the comune that an alert can open. */
export const ALERT_PHASES = ['attention', 'pre-alarm', 'alarm'] as const;
export type AlertPhase = (typeof ALERT_PHASES)[number];

/** How an alert stood before a change: what an update replaces. */
const alertState = z.object({
  colour: z.enum(ALERT_COLOURS),
  zones: z.array(zoneCode).min(1).describe('alert zones of the comune it covered'),
  validFrom: isoDateTime,
  validTo: isoDateTime,
  phase: z.enum(ALERT_PHASES).nullable().optional(),
});

const alert = z
  .object({
    alertId: publicId,
    hazard: z.enum(HAZARDS),
    colour: z.enum(ALERT_COLOURS),
    zones: z.array(zoneCode).min(1).describe('alert zones of the comune covered'),
    validFrom: isoDateTime,
    validTo: isoDateTime,
    phase: z.enum(ALERT_PHASES).nullable().optional().describe('operational phase the alert opens'),
    critical: z
      .boolean()
      .describe(
        'reaches every resident of the zones, whatever their preferences: a red alert, and every later message about an alert that was red',
      ),
    bulletinRef: z.string().min(1).max(200).optional().describe('the regional bulletin the alert follows'),
    wholeComune: z
      .boolean()
      .optional()
      .describe('the alert concerns the whole comune (`zones` then lists every zone)'),
    zoneNames: z
      .array(z.string().min(1).max(200))
      .optional()
      .describe('names of `zones`, in the same order, as residents know them'),
    headline: z
      .string()
      .min(1)
      .max(160)
      .optional()
      .describe('title of the alert: the one staff gave, else the standard one'),
    instructions: z.string().min(1).max(3000).optional().describe('what people must do, as staff wrote it'),
    sequence: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'number of this message about the alert (1 the issue); CAP identifier `<alertId>.<sequence>`',
      ),
    previous: alertState
      .optional()
      .describe('`alert.updated`: the alert as it stood before, i.e. what this update replaces'),
    cancelReason: z.string().min(1).max(1000).optional().describe('`alert.cancelled`: why staff withdrew it'),
  })
  .refine((value) => Date.parse(value.validTo) > Date.parse(value.validFrom), {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
  })
  .refine((value) => value.zoneNames === undefined || value.zoneNames.length === value.zones.length, {
    message: 'zoneNames must name every zone of zones, in the same order',
    path: ['zoneNames'],
  });

export const alertIssued = defineEvent({
  type: 'alert.issued',
  version: 1,
  producer: 'civil-protection',
  consumers: ['notifier', 'gateway'],
  description: 'The comune issued an alert for some of its zones.',
  data: alert,
});

export const alertUpdated = defineEvent({
  type: 'alert.updated',
  version: 1,
  producer: 'civil-protection',
  consumers: ['notifier', 'gateway'],
  description:
    'An alert changed colour, zones, phase, validity or texts. The data is the alert as it is now; ' +
    '`previous` is what it replaces. The audience is everyone of `zones` and of `previous.zones`.',
  data: alert,
});

export const alertCancelled = defineEvent({
  type: 'alert.cancelled',
  version: 1,
  producer: 'civil-protection',
  consumers: ['notifier', 'gateway'],
  description:
    'An alert was withdrawn before its end: an all-clear for everyone it reached. The data is the ' +
    'alert as it was, with `cancelReason`.',
  data: alert,
});

export const alertExpired = defineEvent({
  type: 'alert.expired',
  version: 1,
  producer: 'civil-protection',
  consumers: ['notifier'],
  description:
    'An alert whose issuer asked for an end notice reached the end of its validity: everyone it ' +
    'reached hears that it is over. The data is the alert as it was.',
  data: alert,
});

export const ordinancePublished = defineEvent({
  type: 'ordinance.published',
  version: 1,
  producer: 'civil-protection',
  consumers: ['notifier', 'gateway'],
  description:
    'A mayoral ordinance was published on the Albo Pretorio. Its scope is the whole comune or a ' +
    'set of zones and/or streets.',
  data: z
    .object({
      ordinanceId: publicId,
      number: z.number().int().min(1),
      year: z.number().int().min(1900).max(2999),
      subject: z.string().min(1).max(500),
      wholeComune: z.boolean(),
      zones: z.array(zoneCode).describe('empty when the whole comune or only streets are concerned'),
      streets: z.array(z.string().min(1).max(200)).optional(),
      effectiveFrom: isoDateTime.optional(),
      effectiveTo: isoDateTime.nullable().optional().describe('null until revoked'),
      adoptedOn: isoDate.optional().describe('the day the mayor adopted it'),
      measures: z
        .array(z.string().min(1).max(1000))
        .optional()
        .describe('the ordered measures, one per item, as published'),
      zoneNames: z
        .array(z.string().min(1).max(200))
        .optional()
        .describe('names of `zones`, in the same order'),
      documentUrls: z
        .array(z.url({ protocol: /^https?$/ }).max(2000))
        .optional()
        .describe('absolute URLs of the published documents (the signed act as PDF), on the public origin'),
    })
    .refine((value) => value.wholeComune || value.zones.length > 0 || (value.streets?.length ?? 0) > 0, {
      message: 'an ordinance applies to the whole comune or to at least one zone or street',
      path: ['zones'],
    })
    .refine((value) => value.zoneNames === undefined || value.zoneNames.length === value.zones.length, {
      message: 'zoneNames must name every zone of zones, in the same order',
      path: ['zoneNames'],
    }),
});

export const civilProtectionEvents = [
  alertIssued,
  alertUpdated,
  alertCancelled,
  alertExpired,
  ordinancePublished,
] as const;
