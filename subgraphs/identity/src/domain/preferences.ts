import {
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CHANNELS,
  type NotificationCategory,
  type NotificationChannel,
} from '@sportello/schema';

/** What a citizen can be notified about: the list of `@sportello/schema`. */
export { NOTIFICATION_CATEGORIES, type NotificationCategory };

/** Channels the notifier delivers through: the list of `@sportello/schema`. */
export { NOTIFICATION_CHANNELS, type NotificationChannel };

/**
 * Categories nobody can opt out of: a red alert is about people's safety, so it goes out on every
 * channel the citizen has, whatever the stored preference says.
 */
export const CRITICAL_CATEGORIES: readonly NotificationCategory[] = ['critical-alerts'];

/** Preferences as stored: for each category, whether each channel is on. */
export type NotificationPreferences = Record<NotificationCategory, Record<NotificationChannel, boolean>>;

/** One requested change, as a citizen sends it. */
export interface PreferenceChange {
  category: NotificationCategory;
  channel: NotificationChannel;
  enabled: boolean;
}

/** Every category on every channel: a new citizen hears everything until they choose otherwise. */
export function defaultPreferences(): NotificationPreferences {
  const preferences = {} as NotificationPreferences;
  for (const category of NOTIFICATION_CATEGORIES) {
    preferences[category] = { email: true, telegram: true, io: true };
  }
  return preferences;
}

/**
 * Reads stored preferences, filling categories or channels added after they were stored with the
 * default and forcing critical categories on, so a stale row can never silence a red alert.
 */
export function effectivePreferences(
  stored: Partial<NotificationPreferences> | null | undefined,
): NotificationPreferences {
  const result = defaultPreferences();
  for (const category of NOTIFICATION_CATEGORIES) {
    if (CRITICAL_CATEGORIES.includes(category)) continue;
    const row = stored?.[category];
    for (const channel of NOTIFICATION_CHANNELS) {
      const value = row?.[channel];
      if (typeof value === 'boolean') result[category][channel] = value;
    }
  }
  return result;
}

/** A change the rules refuse, with the reason a person can act on. */
export class PreferenceRuleViolation extends Error {
  override readonly name = 'PreferenceRuleViolation';
  constructor(
    readonly change: PreferenceChange,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Applies changes to the current preferences and returns the new ones (the input is not touched).
 *
 * @throws {PreferenceRuleViolation} when a change tries to turn off a critical category; no change
 * of the batch is applied then.
 */
export function applyPreferenceChanges(
  current: NotificationPreferences,
  changes: readonly PreferenceChange[],
): NotificationPreferences {
  const next = effectivePreferences(current);
  for (const change of changes) {
    if (CRITICAL_CATEGORIES.includes(change.category)) {
      if (!change.enabled) {
        throw new PreferenceRuleViolation(
          change,
          `${change.category} cannot be turned off: red alerts reach every citizen on every channel they have`,
        );
      }
      continue;
    }
    next[change.category][change.channel] = change.enabled;
  }
  return next;
}

/** Whether two preference sets differ (to skip events for no-op updates). */
export function preferencesDiffer(a: NotificationPreferences, b: NotificationPreferences): boolean {
  return NOTIFICATION_CATEGORIES.some((category) =>
    NOTIFICATION_CHANNELS.some((channel) => a[category][channel] !== b[category][channel]),
  );
}
