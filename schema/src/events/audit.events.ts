import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { defineEvent } from './define-event.js';
import { isoDateTime, officeName } from './fields.js';

/*
 * The audit trail of staff reads of personal data. Every service that holds personal data records
 * its staff reads through the platform's audit sink; identity keeps the one queryable log.
 */

export const personalDataRead = defineEvent({
  type: 'audit.personal-data-read',
  version: 1,
  producer: 'platform',
  consumers: ['identity'],
  description:
    'A staff member read personal data of a citizen held by a service. Written to the outbox before ' +
    'the read is answered; identity stores it in the audit log that admins query.',
  data: z.object({
    service: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'service must be a lower-case service name')
      .describe('the service that answered the read: anagrafe, tributi, practices...'),
    actorUsername: z.string().min(1).max(200).describe('the staff member who read'),
    actorOffices: z.array(officeName).max(20).describe('the offices the staff member belonged to then'),
    subjectFiscalCode: fiscalCodeSchema,
    action: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,59}$/, 'action must be a lower-case word')
      .describe('what was done: read, search, issue-certificate...'),
    resources: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(100)
      .describe('what was read, e.g. Citizen.residence, PaymentPosition:302032002700000251'),
    requestId: z.string().min(1).max(200).describe('the request that read, to match service logs'),
    at: isoDateTime.describe('when the data was read'),
  }),
});

export const auditEvents = [personalDataRead] as const;
