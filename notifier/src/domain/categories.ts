import type { ChannelName } from '../channels/channel.js';

/**
 * What a citizen can be notified about, as identity stores their preferences. `critical-alerts`
 * (red civil-protection alerts) cannot be turned off.
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

/** Every channel, in the order deliveries are planned. */
export const CHANNELS: readonly ChannelName[] = ['email', 'telegram', 'io'];

/** Per category, per channel: on or off. Missing entries mean on (identity's default). */
export type ChannelPreferences = Partial<Record<NotificationCategory, Partial<Record<ChannelName, boolean>>>>;
