import { z } from 'zod';
import {
  defineServiceConfig,
  type ServiceConfigDefinition,
  envBoolean,
  envInteger,
  envText,
  envTimeZone,
  envUrl,
  type ServiceCoreConfig,
} from '@sportello/platform';
import { DEFAULT_REMINDER_OFFSETS } from './domain/identity-document.js';

/** Settings of the daily jobs (document reminders, silent approval of residence changes). */
export interface AnagrafeJobSettings {
  /** Days before expiry at which `document.expiring` is emitted. @default [180, 30, 7] */
  reminderOffsetsDays: number[];
  /** Documents that expired longer ago than this get no `document.expired` (old records). @default 30 */
  expiredNoticeLookbackDays: number;
  /** How often the scheduler runs the jobs; both are idempotent. `0` turns the scheduler off. @default 60 */
  intervalMinutes: number;
}

/** Everything anagrafe needs, typed; built by {@link loadAnagrafeConfig} or by hand in tests. */
export interface AnagrafeConfig extends ServiceCoreConfig {
  /** Page a certificate's QR code opens, with `?code=<verification code>` appended. */
  certificateVerificationUrl: string;
  /** Whether every certificate issued online is exempt from stamp duty (comuni disagree). @default false */
  onlineCertificatesExempt: boolean;
  /** The comune's calendar: what "today" means for expiries and deadlines. @default Europe/Rome */
  timeZone: string;
  /** Largest document a reply to a notice of obstacles may carry, in bytes. @default 10 MiB */
  replyDocumentMaxBytes: number;
  jobs: AnagrafeJobSettings;
}

const offsetList = envText(DEFAULT_REMINDER_OFFSETS.join(',')).transform((raw, ctx) => {
  const parts = raw.split(',').map((part) => part.trim());
  const offsets = parts.map(Number);
  if (
    parts.length === 0 ||
    offsets.some((offset) => !Number.isInteger(offset) || offset < 0 || offset > 366)
  ) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected comma-separated whole days between 0 and 366, e.g. 180,30,7',
    });
    return z.NEVER;
  }
  return [...new Set(offsets)].sort((a, b) => b - a);
});

/**
 * The environment variables anagrafe reads (the hub hands each service those of its own, no others),
 * and the reading of its configuration from them.
 */
export const {
  variables: ANAGRAFE_ENV_VARIABLES,
  load: loadAnagrafeConfig,
}: ServiceConfigDefinition<AnagrafeConfig> = defineServiceConfig(
  'anagrafe',
  {
    CERTIFICATE_VERIFICATION_URL: envUrl(['http', 'https']).optional(),
    ONLINE_CERTIFICATES_EXEMPT: envBoolean(false),
    TIME_ZONE: envTimeZone(),
    DOCUMENT_REMINDER_OFFSETS: offsetList,
    EXPIRED_NOTICE_LOOKBACK_DAYS: envInteger({ min: 0, max: 3650 }, 30),
    JOB_INTERVAL_MINUTES: envInteger({ min: 0, max: 24 * 60 }, 60),
    REPLY_DOCUMENT_MAX_BYTES: envInteger({ min: 1024, max: 50 * 1024 * 1024 }, 10 * 1024 * 1024),
  },
  {
    build: (raw, core) => ({
      certificateVerificationUrl:
        raw.CERTIFICATE_VERIFICATION_URL === undefined
          ? `${core.publicUrl}/certificates/verify`
          : String(raw.CERTIFICATE_VERIFICATION_URL),
      onlineCertificatesExempt: raw.ONLINE_CERTIFICATES_EXEMPT,
      timeZone: raw.TIME_ZONE,
      replyDocumentMaxBytes: raw.REPLY_DOCUMENT_MAX_BYTES,
      jobs: {
        reminderOffsetsDays: raw.DOCUMENT_REMINDER_OFFSETS,
        expiredNoticeLookbackDays: raw.EXPIRED_NOTICE_LOOKBACK_DAYS,
        intervalMinutes: raw.JOB_INTERVAL_MINUTES,
      },
    }),
  },
);
