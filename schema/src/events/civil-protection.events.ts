import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { isoDateTime, publicId, zoneCode } from './fields.js';

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

const alert = z
  .object({
    alertId: publicId,
    hazard: z.enum(HAZARDS),
    colour: z.enum(ALERT_COLOURS),
    zones: z.array(zoneCode).min(1).describe('alert zones of the comune covered'),
    validFrom: isoDateTime,
    validTo: isoDateTime,
    phase: z.enum(ALERT_PHASES).nullable().optional().describe('operational phase the alert opens'),
    critical: z.boolean().describe('reaches every resident of the zones, whatever their preferences'),
    bulletinRef: z.string().min(1).max(200).optional().describe('the regional bulletin the alert follows'),
  })
  .refine((value) => Date.parse(value.validTo) > Date.parse(value.validFrom), {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
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
  description: 'An alert changed colour, zones, phase or validity. The data is the alert as it is now.',
  data: alert,
});

export const alertCancelled = defineEvent({
  type: 'alert.cancelled',
  version: 1,
  producer: 'civil-protection',
  consumers: ['notifier', 'gateway'],
  description: 'An alert was withdrawn before its end. The data is the alert as it was.',
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
    })
    .refine((value) => value.wholeComune || value.zones.length > 0 || (value.streets?.length ?? 0) > 0, {
      message: 'an ordinance applies to the whole comune or to at least one zone or street',
      path: ['zones'],
    }),
});

export const civilProtectionEvents = [alertIssued, alertUpdated, alertCancelled, ordinancePublished] as const;
