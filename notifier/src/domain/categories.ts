import { NOTIFICATION_CATEGORIES, type NotificationCategory } from '@sportello/schema';
import type { ChannelName } from '../channels/channel.js';

/**
 * What a citizen can be notified about, as identity stores their preferences: the list of
 * `@sportello/schema`. `critical-alerts` (red civil-protection alerts) cannot be turned off.
 */
export { NOTIFICATION_CATEGORIES, type NotificationCategory };

/** Every channel, in the order deliveries are planned. */
export const CHANNELS: readonly ChannelName[] = ['email', 'telegram', 'io'];

/** Per category, per channel: on or off. Missing entries mean on (identity's default). */
export type ChannelPreferences = Partial<Record<NotificationCategory, Partial<Record<ChannelName, boolean>>>>;
