import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { defineEvent } from './define-event.js';
import { isoDateTime, publicId } from './fields.js';

/*
 * Contact values (email addresses, Telegram chat ids) never travel on the bus: consumers resolve
 * them from identity when they need them.
 */

const citizen = { citizenId: publicId, fiscalCode: fiscalCodeSchema };

export const citizenRegistered = defineEvent({
  type: 'citizen.registered',
  version: 1,
  producer: 'identity',
  consumers: ['notifier'],
  description: 'A citizen logged in for the first time and now has an account in the comune.',
  data: z.object(citizen),
});

export const citizenContactVerified = defineEvent({
  type: 'citizen.contact-verified',
  version: 1,
  producer: 'identity',
  consumers: ['notifier'],
  description: 'A citizen confirmed a contact point (the link in the verification email was opened).',
  data: z.object({ ...citizen, channel: z.enum(['email']) }),
});

export const citizenTelegramLinked = defineEvent({
  type: 'citizen.telegram-linked',
  version: 1,
  producer: 'identity',
  consumers: ['notifier'],
  description: 'A citizen linked a Telegram chat to their account through a one-time deep link.',
  data: z.object(citizen),
});

export const citizenTelegramUnlinked = defineEvent({
  type: 'citizen.telegram-unlinked',
  version: 1,
  producer: 'identity',
  consumers: ['notifier'],
  description:
    'A Telegram chat is no longer linked: the citizen unlinked it, or the bot was blocked and the ' +
    'notifier reported it.',
  data: z.object({ ...citizen, reason: z.enum(['citizen', 'blocked']) }),
});

export const citizenPreferencesChanged = defineEvent({
  type: 'citizen.preferences-changed',
  version: 1,
  producer: 'identity',
  consumers: ['notifier'],
  description: 'A citizen changed which channels and topics they want to be notified on.',
  data: z.object({
    ...citizen,
    changed: z.array(z.string().min(1).max(100)).min(1).describe('names of the preferences that changed'),
  }),
});

export const apiClientRevoked = defineEvent({
  type: 'api-client.revoked',
  version: 1,
  producer: 'identity',
  consumers: ['gateway'],
  description:
    'An admin revoked an API client: its secret no longer works and the tokens it already holds must ' +
    'be refused everywhere, not only by identity, until they expire.',
  data: z.object({
    clientId: publicId.describe('the OAuth client id of the app'),
    revokedAt: isoDateTime,
  }),
});

export const identityEvents = [
  citizenRegistered,
  citizenContactVerified,
  citizenTelegramLinked,
  citizenTelegramUnlinked,
  citizenPreferencesChanged,
  apiClientRevoked,
] as const;
