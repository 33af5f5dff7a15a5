import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { defineEvent } from './define-event.js';
import { amountCents, isoDate, offsetDays, publicId, staffNote, zoneCode } from './fields.js';

/** Identity documents the comune tracks. */
export const DOCUMENT_KINDS = ['CIE', 'paper'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * States of a change-of-residence declaration: registered within 2 working days, checked within
 * 45 days (then accepted by silence), with a 10-day reply window after a notice of obstacles.
 */
export const RESIDENCE_CHANGE_STATUSES = [
  'declared',
  'registered',
  'obstacles-notified',
  'accepted',
  'rejected',
  'withdrawn',
] as const;
export type ResidenceChangeStatus = (typeof RESIDENCE_CHANGE_STATUSES)[number];

export const residentRegistered = defineEvent({
  type: 'resident.registered',
  version: 1,
  producer: 'anagrafe',
  consumers: ['notifier'],
  description:
    'A person became resident (birth, immigration, move from another comune). `zone` is the zone ' +
    'of the address, used to target alerts and ordinances.',
  data: z.object({
    residentId: publicId,
    fiscalCode: fiscalCodeSchema,
    zone: zoneCode.nullable().describe('zone of the address; null when it is in no zone'),
    effectiveFrom: isoDate,
  }),
});

export const residentAddressChanged = defineEvent({
  type: 'resident.address-changed',
  version: 1,
  producer: 'anagrafe',
  consumers: ['notifier'],
  description:
    'A resident moved within the comune. Only the zones travel, never the address: consumers ' +
    'retarget zone-based notifications.',
  data: z.object({
    residentId: publicId,
    fiscalCode: fiscalCodeSchema,
    zone: z.object({ from: zoneCode.nullable(), to: zoneCode.nullable() }),
    effectiveFrom: isoDate,
  }),
});

export const certificateIssued = defineEvent({
  type: 'certificate.issued',
  version: 1,
  producer: 'anagrafe',
  consumers: ['notifier', 'gateway'],
  description:
    'A certificate was issued online, for the requester or a family member (`holderFiscalCode`). ' +
    'Several kinds in one document make a contestuale certificate.',
  data: z.object({
    certificateId: publicId,
    requesterFiscalCode: fiscalCodeSchema,
    holderFiscalCode: fiscalCodeSchema,
    kinds: z
      .array(z.string().min(1).max(80))
      .min(1)
      .describe('certificate kinds; several make a contestuale'),
    stampDuty: z.enum(['paid', 'exempt']),
    validUntil: isoDate.nullable().describe('null for facts that cannot change (birth, death)'),
  }),
});

/** The reference a certificate request's stamp-duty position carries in tributi: the request id. */
export const certificateRequestRef = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a certificate request id');

export const certificatePaymentRequested = defineEvent({
  type: 'certificate.payment-requested',
  version: 1,
  producer: 'anagrafe',
  consumers: ['tributi'],
  description:
    'A certificate request without exemption waits for its 16 EUR stamp duty. Tributi makes one ' +
    'payment position for the requester with `externalRef` (the request id) as its reference and ' +
    'announces it with `payment.position-created`; `payment.received` with that reference makes ' +
    'anagrafe issue the certificate.',
  data: z.object({
    requestId: publicId,
    requesterFiscalCode: fiscalCodeSchema,
    holderFiscalCode: fiscalCodeSchema,
    kinds: z.array(z.string().min(1).max(80)).min(1),
    externalRef: certificateRequestRef,
    amountCents,
    dueDate: isoDate.describe('the day the notice falls due'),
    description: z.string().min(1).max(90).describe('subject of the notice'),
  }),
});

export const documentExpiring = defineEvent({
  type: 'document.expiring',
  version: 1,
  producer: 'anagrafe',
  consumers: ['notifier'],
  description:
    'An identity document expires in `offsetDays` days (reminders are sent at several offsets; ' +
    'CIE renewal opens 180 days before expiry).',
  data: z.object({
    documentId: publicId,
    holderFiscalCode: fiscalCodeSchema,
    kind: z.enum(DOCUMENT_KINDS),
    expiresOn: isoDate,
    offsetDays: offsetDays.describe('days left before expiry'),
  }),
});

export const documentExpired = defineEvent({
  type: 'document.expired',
  version: 1,
  producer: 'anagrafe',
  consumers: ['notifier'],
  description: 'An identity document is no longer valid (paper cards all expire on 2026-08-03).',
  data: z.object({
    documentId: publicId,
    holderFiscalCode: fiscalCodeSchema,
    kind: z.enum(DOCUMENT_KINDS),
    expiredOn: isoDate,
  }),
});

export const residenceChangeStatusChanged = defineEvent({
  type: 'residence-change.status-changed',
  version: 1,
  producer: 'anagrafe',
  consumers: ['notifier', 'gateway'],
  description:
    'A change-of-residence declaration moved to another state. `from` is null for a new declaration.',
  data: z.object({
    requestId: publicId,
    applicantFiscalCode: fiscalCodeSchema,
    from: z.enum(RESIDENCE_CHANGE_STATUSES).nullable(),
    to: z.enum(RESIDENCE_CHANGE_STATUSES),
    note: staffNote.optional(),
    adultMoverFiscalCodes: z
      .array(fiscalCodeSchema)
      .max(50)
      .optional()
      .describe('the other adults moving under the declaration, told of each step as the applicant is'),
  }),
});

export const anagrafeEvents = [
  residentRegistered,
  residentAddressChanged,
  certificateIssued,
  certificatePaymentRequested,
  documentExpiring,
  documentExpired,
  residenceChangeStatusChanged,
] as const;
