import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '@sportello/platform';
import type { ChannelName, Language } from '../channels/channel.js';

/**
 * Where a delivery is in its life:
 * - `planned`: recorded, never tried;
 * - `claimed`: leased by a dispatcher, not yet handed to the provider (safe to hand out again);
 * - `sending`: handed to the provider; the outcome is not recorded yet;
 * - `retrying`: a retryable failure, due again at `nextAttemptAt`;
 * - `sent`: the provider accepted it;
 * - `dead`: gave up (permanent failure or too many attempts): the dead-letter list;
 * - `uncertain`: the process died while the provider call was in flight, on a channel that cannot
 *   recognise a resend; left for staff to check and replay rather than risk a duplicate.
 */
export const DELIVERY_STATUSES = [
  'planned',
  'claimed',
  'sending',
  'retrying',
  'sent',
  'dead',
  'uncertain',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The recipient key of the comune's public Telegram channel post (not a person). */
export const PUBLIC_RECIPIENT = 'public';

/**
 * One message to one recipient on one channel for one source event. The unique key
 * (event, recipient, channel) is what makes planning idempotent: a replanned event inserts nothing.
 * Times are epoch milliseconds, so the dispatcher's claim compares numbers on both dialects.
 */
export const DeliveryEntity = defineEntity({
  name: 'Delivery',
  tableName: 'delivery',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    eventId: p.uuid().index(),
    eventType: p.string().length(100),
    /** The fiscal code, or {@link PUBLIC_RECIPIENT} for a public channel post. */
    recipientKey: p.string().length(64),
    /** `null` for a public channel post. */
    fiscalCode: p.string().length(16).nullable().index(),
    channel: p.string().length(16).$type<ChannelName>(),
    /** The contact point at planning time: email address, Telegram chat id, fiscal code (IO) or channel id. */
    address: p.string().length(320),
    language: p.string().length(2).$type<Language>(),
    /** Higher goes first: red alerts before reminders. */
    priority: p.integer().default(0),
    status: p.string().length(16).$type<DeliveryStatus>(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.bigint('number'),
    leaseOwner: p.string().length(64).nullable(),
    leaseUntil: p.bigint('number').nullable(),
    providerMessageId: p.string().length(200).nullable(),
    lastError: p.string().length(500).nullable(),
    createdAt: p.bigint('number'),
    updatedAt: p.bigint('number'),
    sentAt: p.bigint('number').nullable(),
  },
  uniques: [
    { name: 'delivery_event_recipient_channel_unique', properties: ['eventId', 'recipientKey', 'channel'] },
  ],
  indexes: [{ name: 'delivery_due_index', properties: ['status', 'channel', 'nextAttemptAt'] }],
});
export type Delivery = InferEntity<typeof DeliveryEntity>;
