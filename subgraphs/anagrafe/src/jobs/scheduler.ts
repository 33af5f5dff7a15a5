import type { Database, Logger } from '@sportello/platform';
import { todayIn } from '../domain/calendar.js';
import type { AnagrafeJobSettings } from '../config.js';
import { runDocumentExpiryJob } from './document-expiry.js';
import { runSilentApprovalJob } from './silent-approval.js';

/** The handle of the daily jobs' timer. */
export interface JobScheduler {
  /** Runs both jobs now (also what the timer does). */
  runNow(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs the document reminders and the silent approval of residence changes at start and then every
 * `intervalMinutes`. Both jobs are idempotent for a day, so running them hourly only means a new
 * day is picked up within the hour; replicas may run them at the same time.
 */
export function createJobScheduler(options: {
  database: Database;
  logger: Logger;
  timeZone: string;
  jobs: AnagrafeJobSettings;
}): JobScheduler {
  const { database, logger, jobs } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function runOnce(): Promise<void> {
    const now = new Date();
    const today = todayIn(options.timeZone, now);
    try {
      const reminders = await runDocumentExpiryJob(database, {
        today,
        now,
        offsetsDays: jobs.reminderOffsetsDays,
        expiredNoticeLookbackDays: jobs.expiredNoticeLookbackDays,
      });
      const accepted = await runSilentApprovalJob(database, { today, now });
      logger.info({ today, ...reminders, silentlyAccepted: accepted }, 'anagrafe daily jobs done');
    } catch (error) {
      // The next round retries: every step is idempotent.
      logger.error({ err: error }, 'anagrafe daily jobs failed');
    }
  }

  return {
    runNow() {
      running = running.then(runOnce);
      return running;
    },
    start() {
      if (timer !== undefined || jobs.intervalMinutes === 0) return;
      void this.runNow();
      timer = setInterval(() => void this.runNow(), jobs.intervalMinutes * 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
