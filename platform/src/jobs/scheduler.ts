import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import { CIVIL_TIME_ZONE } from '../calendar/calendar.js';
import type { Database } from '../database/database.js';
import type { Logger } from '../logging/logger.js';
import { claimLease, readLease, releaseLease, renewLease } from './job-lease.js';

/** How long a run holds its job's lease before renewing it. @see ScheduledJob.leaseMs */
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** The longest wait `setTimeout` takes (about 24.8 days); longer waits are made of several. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a job's run is told. */
export interface JobContext {
  /** The slot (its scheduled instant) being run; `null` for a run asked with `runNow`. */
  slot: Date | null;
  /** The scheduler's clock when the run started. */
  now: Date;
}

/** A job and when it runs. */
export interface ScheduledJob {
  /** Unique in the service's database: it names the job's lease. At most 100 characters. */
  name: string;
  /**
   * A cron pattern (5 fields, or 6 with seconds first) read in the scheduler's time zone, e.g.
   * `0 8 * * *` for 08:00 every day, summer time or not; see {@link everyMinutes}. `null`: never by
   * itself, only through `runNow`.
   */
  schedule: string | null;
  /**
   * The work. It must be idempotent: a run that fails, or whose replica dies, is run again. What it
   * returns is logged when it is a number or an object of numbers (counts, never personal data).
   */
  run(context: JobContext): Promise<unknown>;
  /**
   * Runs the latest slot before start if no replica completed it, so a service that was down at
   * the scheduled time catches up. @default true
   */
  catchUp?: boolean;
  /**
   * How long a run holds the lease; the running replica renews it every third of this, so only a
   * replica that died leaves it, and another takes the job over once it has ended.
   * @default {@link DEFAULT_LEASE_MS}
   */
  leaseMs?: number;
}

/** The outcome of one attempt to run a job. */
export type JobRun =
  | { status: 'done'; result: unknown }
  | { status: 'failed'; error: unknown }
  /** Another run holds the lease, or the slot was completed already. */
  | { status: 'skipped' };

/** Options of {@link createJobScheduler}. */
export interface JobSchedulerOptions {
  /** The service's database; its entities must include `JobLease`. */
  database: Database;
  logger: Logger;
  jobs: readonly ScheduledJob[];
  /** The time zone of the cron patterns. @default 'Europe/Rome' */
  timeZone?: string;
  /** Now, for slots, leases and runs. Timers are the global ones, so tests drive both with fake timers. @default the system clock */
  clock?: () => Date;
  /** This replica's name in the lease table. @default host, process id and a random suffix */
  holder?: string;
}

/** The handle of a service's scheduled jobs. */
export interface JobScheduler {
  /** Arms every job's next slot, and runs the slots missed before start (see {@link ScheduledJob.catchUp}). Idempotent. */
  start(): void;
  /**
   * Runs a job now, outside its schedule (tests, a staff request), under its lease: it is skipped
   * when another run holds it. Never throws for the job's own failure.
   * @throws Error for a name no job has
   */
  runNow(name: string): Promise<JobRun>;
  /** Resolves once no run of this scheduler is in progress. */
  idle(): Promise<void>;
  /** Stops arming slots and waits for the runs in progress. */
  stop(): Promise<void>;
}

/**
 * The cron pattern of a job run every `minutes`, aligned on the hour (or, from an hour on, on
 * midnight): 15 runs at :00, :15, :30 and :45. A count that does not divide the hour (or the day)
 * starts again on each one, as in cron. `0` is the services' "off": `null`, no schedule.
 *
 * @throws RangeError for less than a minute, more than a day, or hours and minutes mixed (90)
 */
export function everyMinutes(minutes: number): string | null {
  if (minutes === 0) return null;
  if (Number.isInteger(minutes) && minutes >= 1 && minutes < 60) {
    return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  }
  const hours = minutes / 60;
  if (Number.isInteger(hours) && hours >= 1 && hours <= 24) {
    if (hours === 24) return '0 0 * * *';
    return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  }
  throw new RangeError(
    `a job runs every 1 to 59 minutes or every 1 to 24 whole hours, not every ${minutes} minutes`,
  );
}

/** What of a run's result goes in the log: numbers only. */
function loggedResult(result: unknown): unknown {
  if (typeof result === 'number') return result;
  if (typeof result !== 'object' || result === null) return undefined;
  return Object.fromEntries(Object.entries(result).filter(([, value]) => typeof value === 'number'));
}

interface Entry {
  job: ScheduledJob;
  /** `undefined` for a job without a schedule. */
  cron?: Cron;
  leaseMs: number;
  timer?: NodeJS.Timeout;
  retry?: NodeJS.Timeout;
}

/**
 * The one scheduler of the services' periodic jobs. Each job has a cron pattern in the comune's
 * time zone (Europe/Rome by default: a daily 08:00 stays 08:00 across summer time) and a lease row
 * in the service's database (`job_lease`): however many replicas run, each slot runs once, on the
 * replica that takes the lease first; the others skip it. A run's start, end (with its counts) and
 * failure are logged. A failed run is retried at the next slot (or the next start); a replica that
 * dies mid-run leaves its lease, which ends after `leaseMs`, and a replica that found it held runs
 * the slot then.
 */
export function createJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const { database, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const timeZone = options.timeZone ?? CIVIL_TIME_ZONE;
  // The lease column holds 200 characters; a host name is at most 64 on Linux, but not everywhere.
  const replica = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  const holder = (options.holder ?? replica).slice(0, 200);
  const entries = new Map<string, Entry>();
  for (const job of options.jobs) {
    if (job.name === '' || job.name.length > 100 || entries.has(job.name)) {
      throw new Error(`job names must be unique and 1 to 100 characters long, got "${job.name}"`);
    }
    entries.set(job.name, {
      job,
      // Validates the pattern now: a bad one stops the service at boot.
      cron: job.schedule === null ? undefined : new Cron(job.schedule, { timezone: timeZone, paused: true }),
      leaseMs: job.leaseMs ?? DEFAULT_LEASE_MS,
    });
  }
  const inFlight = new Set<Promise<unknown>>();
  let state: 'new' | 'started' | 'stopped' = 'new';

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  };

  async function execute(entry: Entry, slot: Date | undefined): Promise<JobRun> {
    const job = entry.job.name;
    const at = slot?.toISOString();
    const now = clock();
    try {
      if (!(await claimLease(database, { name: job, holder, now, leaseMs: entry.leaseMs, slot }))) {
        return { status: 'skipped' };
      }
    } catch (error) {
      logger.error({ err: error, job, slot: at }, 'job lease could not be taken');
      return { status: 'failed', error };
    }
    logger.info({ job, slot: at }, 'job started');
    const heartbeat = setInterval(() => {
      renewLease(database, { name: job, holder, until: new Date(clock().getTime() + entry.leaseMs) }).then(
        (held) => {
          if (!held) logger.warn({ job, slot: at }, 'job lease lost while running');
        },
        (error: unknown) => logger.warn({ err: error, job, slot: at }, 'job lease could not be renewed'),
      );
    }, entry.leaseMs / 3);
    heartbeat.unref();
    let run: JobRun;
    try {
      const result = await entry.job.run({ slot: slot ?? null, now });
      run = { status: 'done', result };
      logger.info(
        { job, slot: at, durationMs: clock().getTime() - now.getTime(), result: loggedResult(result) },
        'job done',
      );
    } catch (error) {
      run = { status: 'failed', error };
      logger.error(
        { err: error, job, slot: at, durationMs: clock().getTime() - now.getTime() },
        'job failed',
      );
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await releaseLease(database, {
        name: job,
        holder,
        ...(run.status === 'done' && slot !== undefined ? { doneSlot: slot } : {}),
      });
    } catch (error) {
      // The lease ends by itself after leaseMs; a done slot may then run once more (jobs are idempotent).
      logger.warn({ err: error, job, slot: at }, 'job lease could not be released');
    }
    return run;
  }

  /** Runs a slot; when another replica is running it, tries again once its lease has ended. */
  async function runSlot(entry: Entry, slot: Date): Promise<void> {
    if ((await execute(entry, slot)).status !== 'skipped' || state !== 'started') return;
    const lease = await readLease(database, entry.job.name).catch(() => null);
    const now = clock();
    const pending = lease !== null && (lease.doneSlot == null || lease.doneSlot < slot);
    if (!pending || lease.until <= now) return;
    const next = entry.cron?.nextRun(now) ?? null;
    if (next !== null && next <= lease.until) return; // the next slot will try anyway
    clearTimeout(entry.retry);
    entry.retry = setTimeout(
      () => void track(runSlot(entry, slot)),
      Math.min(MAX_TIMER_MS, lease.until.getTime() - now.getTime() + 1),
    );
    entry.retry.unref();
  }

  /** Sets the timer of the job's next slot after `from`. */
  function arm(entry: Entry, from: Date): void {
    if (state !== 'started') return;
    const slot = entry.cron?.nextRun(from) ?? null;
    if (slot === null) return;
    const wait = slot.getTime() - clock().getTime();
    entry.timer =
      wait > MAX_TIMER_MS
        ? setTimeout(() => arm(entry, from), MAX_TIMER_MS)
        : setTimeout(
            () => {
              void track(runSlot(entry, slot));
              const now = clock();
              arm(entry, now > slot ? now : slot);
            },
            Math.max(0, wait),
          );
    entry.timer.unref();
  }

  const idle = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.all(inFlight);
  };

  return {
    start() {
      if (state !== 'new') return;
      state = 'started';
      const now = clock();
      for (const entry of entries.values()) {
        // The latest slot at or before now (`previousRuns` counts strictly before its reference).
        const missed =
          entry.job.catchUp === false
            ? undefined
            : entry.cron?.previousRuns(1, new Date(now.getTime() + 1))[0];
        if (missed !== undefined) void track(runSlot(entry, missed));
        arm(entry, now);
      }
    },
    runNow(name) {
      const entry = entries.get(name);
      if (entry === undefined) throw new Error(`no scheduled job is named "${name}"`);
      return track(execute(entry, undefined));
    },
    idle,
    async stop() {
      state = 'stopped';
      for (const entry of entries.values()) {
        clearTimeout(entry.timer);
        clearTimeout(entry.retry);
      }
      await idle();
    },
  };
}
