import {
  type ServiceCoreConfig,
  defineServiceConfig,
  type ServiceConfigDefinition,
  envInteger,
  envTimeZone,
} from '@sportello/platform';

/** Everything practices needs, typed; built by {@link loadPracticesConfig} or by hand in tests. */
export interface PracticesConfig extends ServiceCoreConfig {
  /** Largest attachment accepted, in bytes. @default 10 MiB */
  attachmentMaxBytes: number;
  /** Time zone of office opening hours and of "the day before" for reminders. */
  timeZone: string;
  /** How often the reminder job looks for tomorrow's appointments; 0 disables it. */
  reminderIntervalMs: number;
}

/**
 * The environment variables practices reads (the hub hands each service those of its own, no others),
 * and the reading of its configuration from them.
 */
export const {
  variables: PRACTICES_ENV_VARIABLES,
  load: loadPracticesConfig,
}: ServiceConfigDefinition<PracticesConfig> = defineServiceConfig(
  'practices',
  {
    ATTACHMENT_MAX_BYTES: envInteger({ min: 1024, max: 50 * 1024 * 1024 }, 10 * 1024 * 1024),
    TIME_ZONE: envTimeZone(),
    REMINDER_INTERVAL_MS: envInteger({ min: 0, max: 24 * 3_600_000 }, 15 * 60_000),
  },
  {
    build: (raw) => ({
      attachmentMaxBytes: raw.ATTACHMENT_MAX_BYTES,
      timeZone: raw.TIME_ZONE,
      reminderIntervalMs: raw.REMINDER_INTERVAL_MS,
    }),
  },
);
