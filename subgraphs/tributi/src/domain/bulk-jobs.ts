import { createHash } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import type { Actor, PaymentKind } from '@sportello/schema';
import {
  ConflictError,
  NotFoundError,
  type Database,
  type EntityManager,
  type ForegroundGate,
  recordEvent,
  type Logger,
} from '@sportello/platform';
import { BulkJobItemEntity } from '../entities/bulk-job-item.entity.js';
import { BulkJobEntity, type BulkJob } from '../entities/bulk-job.entity.js';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import { bulkJobChangedEvent } from '../events/tributi-events.js';
import { invalidInput, type RuleViolation } from '../errors.js';
import type { FineRules } from './fines.js';
import { createPositions, positionViolations, type NewPosition } from './positions.js';

/** A job as staff read it (its items are rows of their own). */
export type BulkJobView = BulkJob;

/** One line of a bulk run: a payer and what they owe. */
export interface BulkJobItem {
  payerFiscalCode: string;
  amountCents: number;
  externalRef: string | null;
  description: string | null;
}

/** Item rows written per statement when a job is queued. */
const INSERT_CHUNK = 500;

/**
 * Items checked, hashed or written between two turns of the event loop while a job is queued: on
 * the embedded hub every service shares the loop, and SQLite answers at once, so checking and
 * writing 100,000 items would otherwise hold every request and live update until the last one.
 */
const ITEMS_PER_TURN = 500;

/** Lets the loop run what is waiting (requests, timers) before going on. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Most items one bulk job takes. */
export const MAX_BULK_ITEMS = 100_000;

/** What an idempotency key may be: a UUID, a run name (`TARI-2026-saldo`), up to 100 characters. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

/** A bulk run as the office describes it: one template, one line per payer. */
export interface NewBulkJob {
  /**
   * The office's own key for this submission: sending the same run again with it (a retry after a
   * timeout, a double click) returns the job already queued instead of billing everyone twice.
   */
  idempotencyKey: string;
  kind: PaymentKind;
  year: number;
  /** Subject of every notice, unless an item gives its own. */
  description: string;
  dueDates: readonly string[];
  items: readonly {
    payerFiscalCode: string;
    amountCents: number;
    externalRef?: string | null;
    description?: string | null;
  }[];
}

/** Violations reported in one error at most; the count says how many there were. */
const MAX_REPORTED = 20;

function positionOf(
  job: Pick<BulkJob, 'kind' | 'year' | 'description' | 'dueDates'>,
  item: Pick<BulkJobItem, 'payerFiscalCode' | 'amountCents'> & {
    externalRef?: string | null;
    description?: string | null;
  },
): NewPosition {
  return {
    kind: job.kind as PaymentKind,
    year: job.year,
    description: item.description ?? job.description,
    payerFiscalCode: item.payerFiscalCode,
    amountCents: item.amountCents,
    dueDates: job.dueDates,
    externalRef: item.externalRef,
  };
}

/**
 * Validates a whole bulk run up front and queues it: a run with one bad line is refused as a
 * whole (BAD_USER_INPUT listing the first lines at fault), so processing never stops half-way on
 * bad data. External references must be new (in the run and in the comune).
 *
 * @throws {BadUserInputError}
 */
export async function queueBulkJob(
  em: EntityManager,
  input: NewBulkJob,
  options: { comune: string; createdBy: string; now: Date; fineRules: FineRules },
): Promise<BulkJobView> {
  const key = input.idempotencyKey.trim();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw invalidInput([
      {
        field: 'idempotencyKey',
        message: 'must be 1 to 100 letters, digits, dots, colons, dashes or underscores',
      },
    ]);
  }
  const violations: RuleViolation[] = [];
  if (input.kind === 'fine')
    violations.push({ field: 'kind', message: 'fines are created one by one, with their details' });
  if (input.items.length === 0) violations.push({ field: 'items', message: 'give at least one item' });
  if (input.items.length > MAX_BULK_ITEMS) {
    violations.push({
      field: 'items',
      message: `at most ${MAX_BULK_ITEMS} items per job, got ${input.items.length}`,
    });
  }
  const items: BulkJobItem[] = input.items.map((item) => ({
    payerFiscalCode: item.payerFiscalCode.trim().toUpperCase(),
    amountCents: item.amountCents,
    externalRef: item.externalRef?.trim() || null,
    description: item.description?.trim() || null,
  }));
  const template = {
    kind: input.kind,
    year: input.year,
    description: input.description,
    dueDates: [...input.dueDates],
  };
  const requestHash = await fingerprint(template, items);
  const repeated = await existingJob(em, key, requestHash);
  if (repeated !== null) return repeated;

  const templateProblems = positionViolations(
    {
      ...positionOf(template, {
        payerFiscalCode: 'RSSMRA80A01H501U',
        amountCents: 10_000,
        externalRef: null,
        description: null,
      }),
    },
    options.fineRules,
  ).filter((v) => !v.field.startsWith('amountCents') && v.field !== 'payerFiscalCode');
  violations.push(...templateProblems);
  if (templateProblems.length === 0) {
    const refs = new Map<string, number>();
    for (const [index, item] of items.entries()) {
      if (index > 0 && index % ITEMS_PER_TURN === 0) await nextTurn();
      for (const v of positionViolations(positionOf(template, item), options.fineRules)) {
        violations.push({ field: `items.${index}.${v.field}`, message: v.message });
      }
      if (item.externalRef !== null) {
        const seen = refs.get(item.externalRef);
        if (seen !== undefined) {
          violations.push({ field: `items.${index}.externalRef`, message: `repeats item ${seen}` });
        }
        refs.set(item.externalRef, index);
      }
    }
    const wanted = [...refs.keys()];
    for (let start = 0; start < wanted.length && violations.length < MAX_REPORTED; start += 500) {
      const taken = await em.find(
        PaymentPositionEntity,
        { externalRef: { $in: wanted.slice(start, start + 500) } },
        { fields: ['externalRef'] },
      );
      for (const row of taken) {
        violations.push({
          field: `items.${refs.get(row.externalRef ?? '') ?? 0}.externalRef`,
          message: `a position with reference ${row.externalRef} already exists`,
        });
      }
    }
  }
  if (violations.length > 0) {
    const shown = violations.slice(0, MAX_REPORTED);
    const error = invalidInput(shown, 'input');
    if (violations.length > shown.length) error.extensions['total'] = violations.length;
    throw error;
  }
  const id = uuidv7();
  try {
    // The job and its items in one transaction: a runner never sees a job without all its items.
    return await em.transactional(async (tx) => {
      const job = tx.create(BulkJobEntity, {
        id,
        comune: options.comune,
        idempotencyKey: key,
        requestHash,
        status: 'queued',
        kind: input.kind,
        year: input.year,
        description: input.description.trim(),
        dueDates: [...input.dueDates],
        total: items.length,
        processed: 0,
        createdBy: options.createdBy,
        createdAt: options.now,
        startedAt: null,
        finishedAt: null,
        error: null,
      });
      await tx.flush();
      await insertItems(tx, id, options.comune, items);
      return job;
    });
  } catch (error) {
    // The same key sent twice at once: the other request queued it first.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    em.clear();
    const queued = await existingJob(em, key, requestHash);
    if (queued === null) throw error;
    return queued;
  }
}

/**
 * Writes a job's items as rows, {@link INSERT_CHUNK} per statement: plain multi-row inserts, as
 * both dialects take them, without the ORM building an entity per row (100,000 rows in seconds),
 * the loop taking a turn between two statements.
 */
async function insertItems(
  tx: EntityManager,
  jobId: string,
  comune: string,
  items: readonly BulkJobItem[],
): Promise<void> {
  for (let start = 0; start < items.length; start += INSERT_CHUNK) {
    if (start > 0) await nextTurn();
    const chunk = items.slice(start, start + INSERT_CHUNK);
    const params: unknown[] = [];
    chunk.forEach((item, offset) =>
      params.push(
        jobId,
        start + offset,
        comune,
        item.payerFiscalCode,
        item.amountCents,
        item.externalRef,
        item.description,
      ),
    );
    await tx.execute(
      'insert into bulk_job_item (job_id, seq, comune, payer_fiscal_code, amount_cents, external_ref, description) ' +
        `values ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      params,
    );
  }
}

/**
 * SHA-256 of a submission as the office sent it (key aside, blanks trimmed), hashed item by item:
 * a run of 100,000 items is never one string.
 */
async function fingerprint(template: object, items: readonly BulkJobItem[]): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(template));
  for (const [index, item] of items.entries()) {
    if (index > 0 && index % ITEMS_PER_TURN === 0) await nextTurn();
    hash.update(`\n${JSON.stringify(item)}`);
  }
  return hash.digest('hex');
}

/**
 * The job queued earlier under `key`, when `requestHash` says it is the same submission.
 * @throws {ConflictError} when the key was used for another submission
 */
async function existingJob(em: EntityManager, key: string, requestHash: string): Promise<BulkJobView | null> {
  const job = await em.findOne(BulkJobEntity, { idempotencyKey: key });
  if (job === null) return null;
  if (job.requestHash !== requestHash) {
    throw new ConflictError(
      `Idempotency key ${key} was already used for bulk job ${job.id}, with other content: ` +
        'give a new key for a new job',
      { field: 'input.idempotencyKey', jobId: job.id },
    );
  }
  return job;
}

/**
 * Stops a job: no position is created for the items not yet processed (nobody is notified of
 * them); the positions already created, and notified, stay (cancel them one by one if need be).
 * @throws {NotFoundError} no such job in the comune
 * @throws {ConflictError} the job has already completed or been cancelled
 */
export async function cancelBulkJob(
  em: EntityManager,
  id: string,
  options: { comune: string; now: Date; actor: Actor },
): Promise<BulkJobView> {
  return em.transactional(async (tx) => {
    // Conditional: a batch committing at the same time either sees the cancellation or completes first.
    const changed = await tx.nativeUpdate(
      BulkJobEntity,
      { id, comune: options.comune, status: { $in: ['queued', 'running', 'failed'] } },
      { status: 'cancelled', finishedAt: options.now },
    );
    const job = await tx.findOne(BulkJobEntity, { id }, { refresh: true });
    if (job === null) throw new NotFoundError(`No bulk job with id ${id}`);
    if (changed === 0) {
      throw new ConflictError(`Bulk job ${id} is ${job.status} already: nothing left to cancel`, {
        field: 'id',
        status: job.status,
      });
    }
    // Nothing more is made from the items left.
    await tx.nativeDelete(BulkJobItemEntity, { jobId: id });
    recordEvent(tx, bulkJobChangedEvent(job, options.actor, options.now));
    return job;
  });
}

/**
 * Queues a failed job again: it resumes after the last position created, so nothing is created
 * twice. @throws {ConflictError} unless the job failed
 */
export async function retryBulkJob(
  em: EntityManager,
  id: string,
  options: { comune: string; now: Date; actor: Actor },
): Promise<BulkJobView> {
  return em.transactional(async (tx) => {
    const changed = await tx.nativeUpdate(
      BulkJobEntity,
      { id, comune: options.comune, status: 'failed' },
      { status: 'queued', error: null, finishedAt: null },
    );
    const job = await tx.findOne(BulkJobEntity, { id }, { refresh: true });
    if (job === null) throw new NotFoundError(`No bulk job with id ${id}`);
    if (changed === 0) {
      throw new ConflictError(`Bulk job ${id} is ${job.status}: only a failed job can be retried`, {
        field: 'id',
        status: job.status,
      });
    }
    recordEvent(tx, bulkJobChangedEvent(job, options.actor, options.now));
    return job;
  });
}

/** Why a batch failed, in words for the office: never the database's text. */
async function failureReason(
  database: Database,
  job: Pick<BulkJob, 'id' | 'processed' | 'comune'>,
  batchSize: number,
  error: unknown,
): Promise<string> {
  const kept = `the ${job.processed} positions created before stay`;
  if (error instanceof UniqueConstraintViolationException) {
    const em = database.forkUnscoped();
    const rows = await em.find(BulkJobItemEntity, batchOf(job, batchSize), { fields: ['externalRef'] });
    const refs = rows.map((row) => row.externalRef).filter((ref): ref is string => ref !== null);
    const taken = await em.find(
      PaymentPositionEntity,
      { comune: job.comune, externalRef: { $in: refs } },
      { fields: ['externalRef'], limit: 5 },
    );
    const named = taken.map((row) => row.externalRef).join(', ');
    return (
      `positions with the references ${named || 'of this batch'} were created meanwhile (by another job ` +
      `or one by one); ${kept}: cancel the job, or cancel those positions and retry it`
    );
  }
  return `an internal error stopped the job at item ${job.processed + 1} (logged with the job id); ${kept}: retry it`;
}

/** The item rows of a job's next batch. */
function batchOf(job: Pick<BulkJob, 'id' | 'processed'>, batchSize: number) {
  return { jobId: job.id, seq: { $gte: job.processed, $lt: job.processed + batchSize } };
}

/** A batch found its job cancelled: it is rolled back. */
class JobCancelled extends Error {}

/** Options of {@link processBulkJob}. */
export interface BulkProcessingOptions {
  database: Database;
  /** Positions per transaction. @default 500 */
  batchSize?: number;
  fineRules: FineRules;
  /** Lock the job row per batch (PostgreSQL). */
  lockRows: boolean;
  logger?: Logger;
  /** Called after every committed batch. */
  onProgress?: (processed: number, total: number) => void;
  /**
   * The embedded hub's gate: each batch waits for the work people are waiting for (requests, a
   * civil-protection alert being planned and sent) before it starts, never inside its transaction.
   * A batch that goes ahead while such work is in progress (its wait reached the gate's bound),
   * or was less than {@link BulkProcessingOptions.quietAfterMs} ago, takes only
   * {@link BulkProcessingOptions.foregroundBatchSize} positions.
   */
  foreground?: ForegroundGate;
  /**
   * Positions per transaction while foreground work is going on: a batch holds the one loop from
   * its first statement to the events its commit hands to live listeners, so a request or a live
   * update that comes meanwhile waits for all of it. @default 25
   */
  foregroundBatchSize?: number;
  /**
   * How long after foreground work was last seen (at a batch's start or end) batches stay short:
   * requests that keep coming leave gaps between them, and a full batch started in one would hold
   * the next request. @default 1000
   */
  quietAfterMs?: number;
  /** The clock of {@link BulkProcessingOptions.quietAfterMs} (tests). @default performance.now */
  now?: () => number;
  /**
   * Least time between two progress events of a running job (`payment.bulk-job-changed`); the
   * first batch, the end, a failure and a cancellation always send one. @default 1000
   */
  progressEveryMs?: number;
}

/** Who moves a job on between the office's actions. */
const BULK_RUNNER: Actor = { kind: 'system', id: 'bulk-jobs' };

/**
 * Works a queued (or interrupted) job through to the end, batch by batch. Each batch creates its
 * positions and advances `processed` in one transaction, with the job row locked: a crash loses
 * no committed batch and applies no batch twice, and two workers on the same job take turns.
 * A batch that fails marks the job `failed` with the reason; what was committed stays.
 */
export async function processBulkJob(
  jobId: string,
  options: BulkProcessingOptions,
): Promise<BulkJobView | null> {
  const fullBatch = options.batchSize ?? 500;
  const foregroundBatch = Math.min(fullBatch, options.foregroundBatchSize ?? 25);
  const quietAfterMs = options.quietAfterMs ?? 1_000;
  const monotonic = options.now ?? (() => performance.now());
  /** When foreground work was last seen in progress. */
  let busyAt = Number.NEGATIVE_INFINITY;
  const lookAtForeground = () => {
    if ((options.foreground?.active ?? 0) > 0) busyAt = monotonic();
  };
  const progressEveryMs = options.progressEveryMs ?? 1_000;
  let lastEventAt = Number.NEGATIVE_INFINITY;
  for (;;) {
    await options.foreground?.whenIdle();
    // Going ahead beside requests (the gate's bound reached), or in a gap between them: a short
    // batch, so that they wait little.
    lookAtForeground();
    const batchSize = monotonic() - busyAt < quietAfterMs ? foregroundBatch : fullBatch;
    let eventAt: number | null = null;
    const em = options.database.forkUnscoped();
    let done = false;
    let snapshot: BulkJob | null = null;
    let progress: { processed: number; total: number } | null = null;
    try {
      await em.transactional(async (tx) => {
        const job = await tx.findOne(
          BulkJobEntity,
          { id: jobId },
          options.lockRows ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
        );
        snapshot = job;
        if (job === null || (job.status !== 'queued' && job.status !== 'running')) {
          done = true;
          return;
        }
        // Only this batch's rows: a run of 100,000 items is never loaded whole.
        const slice = await tx.find(BulkJobItemEntity, batchOf(job, batchSize), { orderBy: { seq: 'asc' } });
        if (slice.length === 0) throw new Error(`bulk job ${job.id} has no item ${job.processed}`);
        const actor: Actor = { kind: 'staff', id: job.createdBy.replace(/^staff:/, '') };
        const now = new Date();
        await createPositions(
          tx,
          slice.map((item) => positionOf(job, item)),
          {
            comune: job.comune,
            actor,
            createdBy: `bulk-job:${job.id}`,
            now,
            fineRules: options.fineRules,
            bulkJobId: job.id,
          },
        );
        const processed = job.processed + slice.length;
        const completed = processed >= job.total;
        // Only while still queued or running: a cancellation committed meanwhile undoes this batch.
        const advanced = await tx.nativeUpdate(
          BulkJobEntity,
          { id: job.id, status: { $in: ['queued', 'running'] } },
          {
            processed,
            startedAt: job.startedAt ?? now,
            status: completed ? 'completed' : 'running',
            ...(completed ? { finishedAt: now } : {}),
          },
        );
        if (advanced === 0) throw new JobCancelled();
        // Done: the positions hold what the items said.
        if (completed) await tx.nativeDelete(BulkJobItemEntity, { jobId: job.id });
        // Staff follow the run live: one event per batch at most, throttled, and always the end.
        const clock = Date.now();
        if (completed || clock - lastEventAt >= progressEveryMs) {
          const status = completed ? 'completed' : 'running';
          recordEvent(tx, bulkJobChangedEvent({ ...job, status, processed }, BULK_RUNNER, now));
          eventAt = clock;
        }
        progress = { processed, total: job.total };
        done = completed;
      });
    } catch (error) {
      if (error instanceof JobCancelled) {
        return options.database.forkUnscoped().findOne(BulkJobEntity, { id: jobId });
      }
      options.logger?.error({ err: error, jobId }, 'bulk job batch failed');
      const failing = options.database.forkUnscoped();
      const job = await failing.findOne(BulkJobEntity, { id: jobId });
      if (job !== null && (job.status === 'queued' || job.status === 'running')) {
        job.status = 'failed';
        job.error = await failureReason(options.database, job, batchSize, error);
        job.finishedAt = new Date();
        recordEvent(failing, bulkJobChangedEvent(job, BULK_RUNNER, job.finishedAt));
        await failing.flush();
      }
      return job;
    }
    lookAtForeground();
    if (eventAt !== null) lastEventAt = eventAt;
    const reached = progress as { processed: number; total: number } | null;
    if (reached !== null) options.onProgress?.(reached.processed, reached.total);
    if (done) {
      return reached === null
        ? (snapshot as BulkJob | null)
        : options.database.forkUnscoped().findOne(BulkJobEntity, { id: jobId });
    }
  }
}

/**
 * Runs queued and interrupted jobs in the background, one at a time per process. `kick()` after
 * queueing a job (and at start, to resume what a stopped process left); `idle()` resolves when
 * nothing is left to do.
 */
export class BulkJobRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly options: BulkProcessingOptions) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const em = this.options.database.forkUnscoped();
      const next = await em.findOne(
        BulkJobEntity,
        { status: { $in: ['queued', 'running'] } },
        { orderBy: { createdAt: 'asc' }, fields: ['id'] },
      );
      if (next === null) return;
      try {
        await processBulkJob(next.id, this.options);
      } catch (error) {
        this.options.logger?.error({ err: error, jobId: next.id }, 'bulk job stopped');
        return;
      }
    }
  }
}
