import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import type { Actor, PaymentKind } from '@sportello/schema';
import type { Database, EntityManager, Logger } from '@sportello/platform';
import { BulkJobEntity, type BulkJob, type BulkJobItem } from '../entities/bulk-job.entity.js';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import { invalidInput, type RuleViolation } from '../errors.js';
import type { FineRules } from './fines.js';
import { createPositions, positionViolations, type NewPosition } from './positions.js';

/** Most items one bulk job takes. */
export const MAX_BULK_ITEMS = 50_000;

/** A bulk run as the office describes it: one template, one line per payer. */
export interface NewBulkJob {
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
  item: BulkJobItem,
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
): Promise<BulkJob> {
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
    items.forEach((item, index) => {
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
    });
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
  const job = em.create(BulkJobEntity, {
    id: uuidv7(),
    comune: options.comune,
    status: 'queued',
    kind: input.kind,
    year: input.year,
    description: input.description.trim(),
    dueDates: [...input.dueDates],
    items,
    total: items.length,
    processed: 0,
    createdBy: options.createdBy,
    createdAt: options.now,
    startedAt: null,
    finishedAt: null,
    error: null,
  });
  await em.flush();
  return job;
}

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
}

/**
 * Works a queued (or interrupted) job through to the end, batch by batch. Each batch creates its
 * positions and advances `processed` in one transaction, with the job row locked: a crash loses
 * no committed batch and applies no batch twice, and two workers on the same job take turns.
 * A batch that fails marks the job `failed` with the reason; what was committed stays.
 */
export async function processBulkJob(jobId: string, options: BulkProcessingOptions): Promise<BulkJob | null> {
  const batchSize = options.batchSize ?? 500;
  for (;;) {
    const em = options.database.forkUnscoped();
    let done = false;
    let snapshot: BulkJob | null = null;
    try {
      await em.transactional(async (tx) => {
        const job = await tx.findOne(
          BulkJobEntity,
          { id: jobId },
          options.lockRows ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
        );
        snapshot = job;
        if (job === null || job.status === 'completed' || job.status === 'failed') {
          done = true;
          return;
        }
        const slice = job.items.slice(job.processed, job.processed + batchSize);
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
        job.processed += slice.length;
        job.startedAt ??= now;
        job.status = job.processed >= job.total ? 'completed' : 'running';
        if (job.status === 'completed') {
          job.finishedAt = now;
          done = true;
        }
        await tx.flush();
      });
    } catch (error) {
      options.logger?.error({ err: error, jobId }, 'bulk job batch failed');
      const failing = options.database.forkUnscoped();
      const job = await failing.findOne(BulkJobEntity, { id: jobId });
      if (job !== null) {
        job.status = 'failed';
        job.error = error instanceof Error ? error.message.slice(0, 2000) : String(error);
        job.finishedAt = new Date();
        await failing.flush();
      }
      return job;
    }
    const current = snapshot as BulkJob | null;
    if (current !== null) options.onProgress?.(current.processed, current.total);
    if (done) return current;
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
