import { civilDate, everyMinutes, type Database, type ScheduledJob } from '@sportello/platform';
import type { AnagrafeJobSettings } from '../config.js';
import { runDocumentExpiryJob } from './document-expiry.js';
import { runSilentApprovalJob } from './silent-approval.js';

/**
 * Anagrafe's daily jobs for the platform scheduler: the document reminders and the silent approval
 * of residence changes, every `intervalMinutes` (0: only when asked) and at start when a slot was
 * missed. Both are idempotent for a day, so running them hourly only means a new day is picked up
 * within the hour.
 */
export function anagrafeJobs(options: {
  database: Database;
  timeZone: string;
  jobs: AnagrafeJobSettings;
}): ScheduledJob[] {
  const { database, jobs } = options;
  const schedule = everyMinutes(jobs.intervalMinutes);
  const today = (now: Date) => civilDate(now, options.timeZone);
  return [
    {
      name: 'document-expiry',
      schedule,
      run: ({ now }) =>
        runDocumentExpiryJob(database, {
          today: today(now),
          now,
          offsetsDays: jobs.reminderOffsetsDays,
          expiredNoticeLookbackDays: jobs.expiredNoticeLookbackDays,
        }),
    },
    {
      name: 'silent-approval',
      schedule,
      run: async ({ now }) => ({
        silentlyAccepted: await runSilentApprovalJob(database, { today: today(now), now }),
      }),
    },
  ];
}
