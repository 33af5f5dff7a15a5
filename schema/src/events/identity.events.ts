import { z } from 'zod';
import { fiscalCodeSchema } from '../scalars/fiscal-code.js';
import { defineEvent } from './define-event.js';
import { isoDate, isoDateTime, publicId } from './fields.js';

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

/** Why tokens stop working before they expire. */
export const REVOCATION_REASONS = [
  'client-revoked',
  'grant-revoked',
  'delegation-revoked',
  'staff-disabled',
  'signed-out',
  'token-revoked',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export const accessRevoked = defineEvent({
  type: 'access.revoked',
  version: 1,
  producer: 'identity',
  consumers: ['gateway', 'identity', 'anagrafe', 'tributi', 'practices', 'civil-protection', 'notifier'],
  description:
    'Access tokens issued up to `revokedAt` that match stop working everywhere, within a second, ' +
    'whatever their expiry: an API client revoked (`clientId`), a citizen revoking an app ' +
    "(`clientId` + `fiscalCode`), a delegation revoked (the delegate's `fiscalCode` acting for " +
    '`actsFor`, also through apps), a staff member disabled (`username`), a citizen signed out ' +
    'everywhere (`fiscalCode`), one access token revoked by its app or with its sign-in (`tokenId`, ' +
    "the token's `jti`, other tokens of the same person untouched). Every token verifier keeps them " +
    'for the longest token lifetime.',
  data: z
    .object({
      reason: z.enum(REVOCATION_REASONS),
      revokedAt: isoDateTime,
      clientId: publicId.optional().describe('the OAuth client id of the app'),
      fiscalCode: fiscalCodeSchema.optional().describe('the citizen whose tokens (or grant) end'),
      actsFor: fiscalCodeSchema.optional().describe('the delegator, for a revoked delegation'),
      username: z.string().min(1).max(100).optional().describe('the staff member disabled'),
      tokenId: z.string().min(1).max(200).optional().describe('the `jti` of the one access token revoked'),
    })
    .refine((value) => value.clientId ?? value.fiscalCode ?? value.username ?? value.tokenId, {
      message: 'a revocation names a client, a citizen, a staff member or a token',
    })
    .refine((value) => (value.reason === 'token-revoked') === (value.tokenId !== undefined), {
      message: 'a token is named by, and only by, a `token-revoked` revocation',
      path: ['tokenId'],
    }),
});

export const delegationEnded = defineEvent({
  type: 'delegation.ended',
  version: 1,
  producer: 'identity',
  consumers: ['notifier'],
  description:
    'A delegation reached the end of its validity: a parent no longer acts for a child who turned 18 ' +
    '(`reason` `majority`, on the 18th birthday), or a delegation ended on the day it was given ' +
    '(`expired`). Both people are to be told: the subject is the delegator (the child), `delegate` ' +
    'the person who acted for them.',
  data: z.object({
    delegationId: publicId,
    kind: z.enum(['minor-child', 'delegating-adult']),
    delegator: fiscalCodeSchema.describe('the person who was represented (the child, for minor-child)'),
    delegate: fiscalCodeSchema.describe('the person who acted for the delegator (the parent)'),
    reason: z.enum(['majority', 'expired']),
    endedAt: isoDateTime.describe('when the delegation stopped applying'),
    majorityOn: isoDate.optional().describe('the 18th birthday, for `majority`'),
  }),
});

export const identityEvents = [
  citizenRegistered,
  citizenContactVerified,
  citizenTelegramLinked,
  citizenTelegramUnlinked,
  citizenPreferencesChanged,
  accessRevoked,
  delegationEnded,
] as const;
