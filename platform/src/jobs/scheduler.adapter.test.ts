import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { civilDate } from '../calendar/calendar.js';
import {
  createTestDatabase,
  DATABASE_DRIVERS,
  LOCAL_POSTGRES_URL,
  type TestDatabase,
} from '@sportello/test-support';
import type { Database } from '../database/database.js';
import { assertMigrationsMatchEntities } from '../database/migrations.js';
import { createLogger } from '../logging/logger.js';
import { JobLease } from './job-lease.entity.js';
import { claimLease } from './job-lease.js';
import { createJobScheduler, everyMinutes, type JobScheduler, type ScheduledJob } from './scheduler.js';
import { SCHEDULER_MIGRATIONS } from './scheduler-migrations.js';

/** Log lines, parsed, to check what a run says about itself. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'jobs',
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

/** A job that records which replica ran which slot. */
function recordingJob(runs: string[], replica: string, overrides: Partial<ScheduledJob> = {}): ScheduledJob {
  return {
    name: 'hourly-report',
    schedule: '0 * * * *',
    catchUp: false,
    async run({ slot }) {
      runs.push(`${replica} ${slot?.toISOString() ?? 'now'}`);
      return { handled: 3 };
    },
    ...overrides,
  };
}

/** Moves the fake clock and lets every scheduler finish what the slots started. */
async function advance(ms: number, ...schedulers: JobScheduler[]): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await Promise.all(schedulers.map((scheduler) => scheduler.idle()));
}

describe.each(DATABASE_DRIVERS)('job scheduler on %s', (driver) => {
  let db: TestDatabase;
  const schedulers: JobScheduler[] = [];

  beforeEach(async () => {
    // Only the clock and the timers are faked: database I/O runs for real.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    db = await createTestDatabase({
      service: 'jobs',
      driver,
      entities: [JobLease],
      migrations: SCHEDULER_MIGRATIONS,
    });
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
    vi.useRealTimers();
    await db.dispose();
  });

  const scheduler = (
    database: Database,
    jobs: ScheduledJob[],
    holder: string,
    logger = capturingLogger().logger,
  ) => {
    const created = createJobScheduler({ database, logger, jobs, holder });
    schedulers.push(created);
    return created;
  };

  test('the migrations create the lease table and nothing else', async () => {
    vi.useRealTimers();
    await assertMigrationsMatchEntities({
      service: 'jobs',
      entities: [JobLease],
      migrations: SCHEDULER_MIGRATIONS,
      postgresUrl: LOCAL_POSTGRES_URL,
      drivers: [driver],
    });
  });

  test('two replicas on one database run each slot once', async () => {
    vi.setSystemTime(new Date('2026-06-01T07:59:00Z'));
    const runs: string[] = [];
    const one = scheduler(await db.open(), [recordingJob(runs, 'one')], 'replica-one');
    const other = scheduler(await db.open(), [recordingJob(runs, 'other')], 'replica-other');
    one.start();
    other.start();

    for (let hour = 0; hour < 4; hour += 1) await advance(60 * 60_000, one, other);

    const slots = runs.map((run) => run.split(' ')[1]);
    expect(slots).toEqual([
      '2026-06-01T08:00:00.000Z',
      '2026-06-01T09:00:00.000Z',
      '2026-06-01T10:00:00.000Z',
      '2026-06-01T11:00:00.000Z',
    ]);
  });

  test('a replica that dies mid-run leaves its lease, and another runs the slot once it has ended', async () => {
    vi.setSystemTime(new Date('2026-06-01T07:59:00Z'));
    const runs: string[] = [];
    // What a replica that took the 08:00 slot and died left behind: its lease, until 08:01.
    const slot = new Date('2026-06-01T08:00:00Z');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(
      await claimLease(await db.open(), {
        name: 'hourly-report',
        holder: 'replica-doomed',
        now: slot,
        leaseMs: 60_000,
        slot,
      }),
    ).toBe(true);

    const { logger, lines } = capturingLogger();
    const survivor = scheduler(
      await db.open(),
      [recordingJob(runs, 'survivor', { leaseMs: 60_000, catchUp: true })],
      'replica-survivor',
      logger,
    );
    survivor.start();
    await survivor.idle();
    expect(runs).toEqual([]);

    await advance(59_000, survivor);
    expect(runs).toEqual([]);
    await advance(2_000, survivor);
    expect(runs).toEqual(['survivor 2026-06-01T08:00:00.000Z']);
    expect(lines.filter((line) => line['job'] === 'hourly-report').map((line) => line['msg'])).toEqual([
      'job started',
      'job done',
    ]);
    expect(lines.find((line) => line['msg'] === 'job done')).toMatchObject({
      slot: '2026-06-01T08:00:00.000Z',
      result: { handled: 3 },
    });
  });

  test('a daily 08:00 stays 08:00 in Rome across both changes of summer time', async () => {
    vi.setSystemTime(new Date('2026-03-27T12:00:00Z'));
    const slots: Date[] = [];
    const jobs: ScheduledJob[] = [
      {
        name: 'daily',
        schedule: '0 8 * * *',
        catchUp: false,
        run: async ({ slot }) => void slots.push(slot!),
      },
      // 02:30 happens twice on the night summer time ends, and not at all on the night it starts.
      {
        name: 'night',
        schedule: '30 2 * * *',
        catchUp: false,
        run: async ({ slot }) => void slots.push(slot!),
      },
    ];
    const local = scheduler(await db.open(), jobs, 'replica-one');
    local.start();
    for (let day = 0; day < 3; day += 1) await advance(24 * 3_600_000, local);
    vi.setSystemTime(new Date('2026-10-24T12:00:00Z'));
    await local.stop();
    const autumn = scheduler(await db.open(), jobs, 'replica-one');
    autumn.start();
    for (let day = 0; day < 2; day += 1) await advance(24 * 3_600_000, autumn);

    const rome = (at: Date) =>
      `${civilDate(at)} ${new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', timeStyle: 'short' }).format(at)}`;
    expect(slots.map((slot) => `${slot.toISOString()} = ${rome(slot)}`).sort()).toEqual([
      '2026-03-28T01:30:00.000Z = 2026-03-28 02:30',
      '2026-03-28T07:00:00.000Z = 2026-03-28 08:00',
      // 02:30 does not exist on 29 March: the run comes at 03:00, once.
      '2026-03-29T01:00:00.000Z = 2026-03-29 03:00',
      '2026-03-29T06:00:00.000Z = 2026-03-29 08:00',
      '2026-03-30T00:30:00.000Z = 2026-03-30 02:30',
      '2026-03-30T06:00:00.000Z = 2026-03-30 08:00',
      // 02:30 comes twice on 25 October: it runs once.
      '2026-10-25T00:30:00.000Z = 2026-10-25 02:30',
      '2026-10-25T07:00:00.000Z = 2026-10-25 08:00',
      '2026-10-26T01:30:00.000Z = 2026-10-26 02:30',
      '2026-10-26T07:00:00.000Z = 2026-10-26 08:00',
    ]);
  });

  test('a replica starting after a missed slot catches it up, unless another replica did', async () => {
    vi.setSystemTime(new Date('2026-06-01T10:20:00Z'));
    const runs: string[] = [];
    const first = scheduler(await db.open(), [recordingJob(runs, 'first', { catchUp: true })], 'replica-one');
    first.start();
    await first.idle();
    const second = scheduler(
      await db.open(),
      [recordingJob(runs, 'second', { catchUp: true })],
      'replica-two',
    );
    second.start();
    await second.idle();
    expect(runs).toEqual(['first 2026-06-01T10:00:00.000Z']);
  });

  test('a failed run is logged, gives the lease back and is retried at the next slot', async () => {
    vi.setSystemTime(new Date('2026-06-01T07:59:00Z'));
    let attempts = 0;
    const { logger, lines } = capturingLogger();
    const flaky = scheduler(
      await db.open(),
      [
        recordingJob([], 'one', {
          run: async () => {
            attempts += 1;
            if (attempts === 1) throw new Error('upstream unavailable');
            return { sent: 2 };
          },
        }),
      ],
      'replica-one',
      logger,
    );
    flaky.start();
    await advance(60_000, flaky);
    expect(lines.find((line) => line['msg'] === 'job failed')).toMatchObject({ job: 'hourly-report' });
    // The lease was given back: a staff request runs at once.
    expect(await flaky.runNow('hourly-report')).toEqual({ status: 'done', result: { sent: 2 } });
    await advance(60 * 60_000, flaky);
    expect(attempts).toBe(3);
  });

  test('stop waits for the run in progress, gives its lease back and arms no further slot', async () => {
    vi.setSystemTime(new Date('2026-06-01T07:59:00Z'));
    const runs: string[] = [];
    let finish!: () => void;
    let begun!: () => void;
    const running = new Promise<void>((resolve) => (begun = resolve));
    const replica = scheduler(
      await db.open(),
      [
        recordingJob(runs, 'one', {
          run: ({ slot }) =>
            new Promise<number>((resolve) => {
              runs.push(`one ${slot?.toISOString()}`);
              finish = () => resolve(1);
              begun();
            }),
        }),
      ],
      'replica-one',
    );
    replica.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await running;
    let stopped = false;
    const stopping = replica.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await advance(2 * 60 * 60_000, replica);
    expect(runs).toEqual(['one 2026-06-01T08:00:00.000Z']);
    // The lease was given back: another replica may run the job at once.
    const other = scheduler(await db.open(), [recordingJob(runs, 'other')], 'replica-other');
    expect(await other.runNow('hourly-report')).toEqual({ status: 'done', result: { handled: 3 } });
  });

  test('runNow runs a job under its lease: not while another replica runs it', async () => {
    vi.setSystemTime(new Date('2026-06-01T07:59:00Z'));
    let release!: () => void;
    let begun!: () => void;
    const running = new Promise<void>((resolve) => (begun = resolve));
    const busy = scheduler(
      await db.open(),
      [
        recordingJob([], 'busy', {
          run: () =>
            new Promise<number>((resolve) => {
              release = () => resolve(1);
              begun();
            }),
        }),
      ],
      'replica-busy',
    );
    // A job without a schedule runs only when asked.
    const staff = scheduler(
      await db.open(),
      [recordingJob([], 'staff', { schedule: null })],
      'replica-staff',
    );
    staff.start();
    const busyRun = busy.runNow('hourly-report');
    await running;
    expect(await staff.runNow('hourly-report')).toEqual({ status: 'skipped' });
    release();
    expect(await busyRun).toEqual({ status: 'done', result: 1 });
    expect(await staff.runNow('hourly-report')).toEqual({ status: 'done', result: { handled: 3 } });
    expect(() => staff.runNow('nightly')).toThrow(/no scheduled job is named "nightly"/);
  });
});

describe('everyMinutes', () => {
  test('turns the services’ intervals into cron patterns aligned on the hour', () => {
    expect([1, 15, 60, 120, 1440].map(everyMinutes)).toEqual([
      '* * * * *',
      '*/15 * * * *',
      '0 * * * *',
      '0 */2 * * *',
      '0 0 * * *',
    ]);
    expect(everyMinutes(0)).toBeNull();
    expect(() => everyMinutes(90)).toThrow(RangeError);
    expect(() => everyMinutes(-5)).toThrow(RangeError);
  });
});
