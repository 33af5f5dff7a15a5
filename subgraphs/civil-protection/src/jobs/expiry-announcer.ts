import type { Database, Logger } from '@sportello/platform';
import { announceExpiredAlerts, nextExpiry, type ExpiryRun } from '../domain/alert-operations.js';

/** The handle of the end-of-alert announcer. */
export interface ExpiryAnnouncer {
  /** Looks for ended alerts now (also what the timer does). */
  runNow(): Promise<ExpiryRun>;
  /** Sets the timer again: an alert asking for an end notice was issued or changed. */
  reschedule(): void;
  start(): void;
  stop(): Promise<void>;
}

/** Never wake up more often than this, whatever the next alert's end says. */
const MIN_WAIT_MS = 250;

/**
 * Announces the end of alerts whose issuer asked for it (`alert.expired`), at start, every
 * `intervalMs`, and at the end of the next such alert when that comes sooner (`reschedule` after an
 * alert changes here; one changed through another replica is picked up within `intervalMs`). Each
 * run is idempotent (an alert is marked announced in the transaction of its event), so replicas may
 * run it together.
 */
export function createExpiryAnnouncer(options: {
  database: Database;
  logger: Logger;
  intervalMs: number;
  now?: () => Date;
}): ExpiryAnnouncer {
  const { database, logger, intervalMs } = options;
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let running: Promise<ExpiryRun> = Promise.resolve({ announced: 0, skipped: 0 });

  async function runOnce(): Promise<ExpiryRun> {
    try {
      const run = await announceExpiredAlerts(database, now());
      if (run.announced + run.skipped > 0) logger.info(run, 'ended alerts announced');
      return run;
    } catch (error) {
      // The next round retries: an alert is marked only with its event.
      logger.error({ err: error }, 'announcing ended alerts failed');
      return { announced: 0, skipped: 0 };
    }
  }

  async function schedule(): Promise<void> {
    if (stopped) return;
    let wait = intervalMs;
    try {
      const next = await nextExpiry(database);
      if (next !== null) wait = Math.min(wait, Math.max(MIN_WAIT_MS, next.getTime() - now().getTime() + 50));
    } catch (error) {
      logger.warn({ err: error }, 'could not read the next alert end');
    }
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void announcer.runNow().then(schedule), wait);
    timer.unref();
  }

  const announcer: ExpiryAnnouncer = {
    runNow() {
      running = running.then(runOnce);
      return running;
    },
    reschedule() {
      void schedule();
    },
    start() {
      if (!stopped) return;
      stopped = false;
      void announcer.runNow().then(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
  return announcer;
}
