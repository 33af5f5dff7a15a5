import { z } from 'zod';
import { defineEvent } from './define-event.js';

/** Channels the notifier delivers on. */
export const NOTIFICATION_CHANNELS = ['email', 'telegram', 'io'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/**
 * What a citizen can be notified about, as identity stores their preferences and the notifier reads
 * them. `critical-alerts` are red civil-protection alerts.
 */
export const NOTIFICATION_CATEGORIES = [
  'ordinances',
  'civil-protection-alerts',
  'critical-alerts',
  'practice-updates',
  'payment-reminders',
  'document-expiry',
] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

/**
 * How the public `NotificationChannel` enum reads, which identity and the notifier both register
 * (the gateway's supergraph merges the two): its name, what it is about, and what each channel
 * means to a citizen, by the channel's GraphQL name.
 */
export const NOTIFICATION_CHANNEL_ENUM: {
  readonly name: 'NotificationChannel';
  readonly description: string;
  readonly values: { readonly [C in NotificationChannel as Uppercase<C>]: string };
} = {
  name: 'NotificationChannel',
  description: 'Where a notification is delivered.',
  values: {
    EMAIL: 'The citizen’s verified email address.',
    TELEGRAM: 'The Telegram chat linked to the account.',
    IO: 'The citizen’s App IO inbox.',
  },
};

const count = z.number().int().min(0);

/** Deliveries of one event on one channel, by state. */
const channelStats = z.object({ planned: count, sent: count, failed: count, dead: count });

export const deliveryStatsChanged = defineEvent({
  type: 'delivery.stats-changed',
  version: 1,
  producer: 'notifier',
  consumers: ['gateway'],
  description:
    'The delivery counts of one source event changed (for live dashboards). `failed` will be ' +
    'retried; `dead` gave up.',
  data: z.object({
    eventId: z.uuid().describe('id of the event being delivered'),
    eventType: z.string().min(1).max(100),
    channels: z
      .object({
        email: channelStats.optional(),
        telegram: channelStats.optional(),
        io: channelStats.optional(),
      })
      .describe('deliveries per channel; absent channels had none'),
  }),
});

export const notifierEvents = [deliveryStatsChanged] as const;
