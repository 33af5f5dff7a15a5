import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  addDays,
  civilDate,
  daysBetween,
  isIsoDate,
  recordEvent,
  type Database,
  type Logger,
  type ScheduledJob,
} from '@sportello/platform';
import { InstalmentEntity, type Instalment } from '../entities/instalment.entity.js';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import { PaymentReminderEntity } from '../entities/payment-reminder.entity.js';
import { dueSoonEvent, overdueEvent } from '../events/tributi-events.js';
import { DEFAULT_FINE_RULES, type FineRules } from '../domain/fines.js';
import { amountDueOn } from '../domain/positions.js';
import type { ReminderKind } from '../domain/vocabulary.js';

/** Days before a due date when `payment.due-soon` goes out. */
export const DEFAULT_REMINDER_OFFSETS = [7, 1] as const;

/** Options of {@link runPaymentReminderJob}. */
export interface PaymentReminderJobOptions {
  database: Database;
  /** The day the job runs for, `YYYY-MM-DD` in Italian time. @default today */
  today?: string;
  /** @default {@link DEFAULT_REMINDER_OFFSETS} */
  offsetsDays?: readonly number[];
  fineRules?: FineRules;
  logger?: Logger;
  /** Instalments handled per transaction. @default 200 */
  batchSize?: number;
}

/** What one run emitted. */
export interface PaymentReminderJobResult {
  dueSoon: number;
  overdue: number;
  /** Reminders already sent by an earlier run (or another replica) and skipped. */
  skipped: number;
}

/**
 * The daily reminder run, across every comune of the database:
 * - `payment.due-soon` for each unpaid instalment due exactly `offset` days from `today`, per offset
 *   (and, for a run that was missed, for any offset already passed but not yet sent, as long as the
 *   due date has not come);
 * - `payment.overdue` for each unpaid instalment whose due date has passed; its position becomes
 *   `expired`.
 *
 * Each reminder is stored in `payment_reminder` in the same transaction as its outbox event; the
 * unique key (instalment, kind, offset) makes re-runs, crashes half-way and a second replica running
 * at the same time emit nothing twice.
 */
export async function runPaymentReminderJob(
  options: PaymentReminderJobOptions,
): Promise<PaymentReminderJobResult> {
  const today = options.today ?? civilDate(new Date());
  if (!isIsoDate(today)) throw new RangeError(`today must be a YYYY-MM-DD day, got "${today}"`);
  const offsets = [...new Set(options.offsetsDays ?? DEFAULT_REMINDER_OFFSETS)].sort((a, b) => b - a);
  const fineRules = options.fineRules ?? DEFAULT_FINE_RULES;
  const batchSize = options.batchSize ?? 200;
  const result: PaymentReminderJobResult = { dueSoon: 0, overdue: 0, skipped: 0 };
  const horizon = addDays(today, Math.max(0, ...offsets));

  const em = options.database.forkUnscoped();
  // Candidates: unpaid and due before the horizon, without the reminders already recorded.
  // Keyset pagination on the id; the first page has no lower bound (an empty string is not a
  // valid uuid for PostgreSQL).
  let after: string | undefined;
  for (;;) {
    const batch = await em.find(
      InstalmentEntity,
      {
        status: 'unpaid',
        dueDate: { $lte: horizon },
        ...(after === undefined ? {} : { id: { $gt: after } }),
      },
      { orderBy: { id: 'asc' }, limit: batchSize },
    );
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.id ?? after;
    em.clear();
    for (const instalment of batch) {
      for (const reminder of remindersDue(instalment, today, offsets)) {
        const sent = await sendReminder(options.database, instalment.id, reminder, today, fineRules);
        if (sent) result[reminder.kind === 'overdue' ? 'overdue' : 'dueSoon'] += 1;
        else result.skipped += 1;
      }
    }
  }
  if (result.dueSoon + result.overdue > 0)
    options.logger?.info({ today, ...result }, 'payment reminders sent');
  return result;
}

interface ReminderPlan {
  kind: ReminderKind;
  offsetDays: number;
}

/** Which reminders an instalment needs on `today`: overdue once late, else the nearest offset reached. */
function remindersDue(instalment: Instalment, today: string, offsets: readonly number[]): ReminderPlan[] {
  if (instalment.dueDate < today) return [{ kind: 'overdue', offsetDays: 0 }];
  // Only the smallest offset already reached: after a missed day, one reminder, not a burst.
  const reached = offsets.filter((offset) => addDays(today, offset) >= instalment.dueDate);
  const nearest = reached.at(-1);
  return nearest === undefined ? [] : [{ kind: 'due-soon', offsetDays: nearest }];
}

/** Records one reminder with its event; `false` when it had been sent already. */
async function sendReminder(
  database: Database,
  instalmentId: string,
  plan: ReminderPlan,
  today: string,
  fineRules: FineRules,
): Promise<boolean> {
  const em = database.forkUnscoped();
  const now = new Date();
  try {
    return await em.transactional(async (tx) => {
      const existing = await tx.count(PaymentReminderEntity, {
        instalmentId,
        kind: plan.kind,
        offsetDays: plan.offsetDays,
      });
      if (existing > 0) return false;
      const instalment = await tx.findOneOrFail(InstalmentEntity, { id: instalmentId });
      if (instalment.status !== 'unpaid') return false;
      const position = await tx.findOneOrFail(PaymentPositionEntity, { id: instalment.positionId });
      // The amount due on the day the citizen reads it (a fine's reduced amount, while it lasts).
      const amount = amountDueOn(position, instalment, now, fineRules);
      const event =
        plan.kind === 'overdue'
          ? overdueEvent(position, instalment, amount, now)
          : dueSoonEvent(position, instalment, amount, daysBetween(today, instalment.dueDate), now);
      tx.create(PaymentReminderEntity, {
        comune: instalment.comune,
        instalmentId,
        kind: plan.kind,
        offsetDays: plan.offsetDays,
        eventId: event.id,
        sentAt: now,
      });
      recordEvent(tx, event);
      if (plan.kind === 'overdue' && position.status === 'to-pay') position.status = 'expired';
      await tx.flush();
      return true;
    });
  } catch (error) {
    // Another replica recorded the same reminder first: it sent it, we do not.
    if (error instanceof UniqueConstraintViolationException) return false;
    throw error;
  }
}

/**
 * The reminder job for the platform scheduler: every day at `hour` (comune time, 08:00 by default),
 * and at start when that run was missed; `null` schedule when reminders are off.
 */
export function paymentRemindersJob(
  options: Omit<PaymentReminderJobOptions, 'today'> & { enabled: boolean; hour: number },
): ScheduledJob {
  const { enabled, hour, ...job } = options;
  return {
    name: 'payment-reminders',
    schedule: enabled ? `0 ${hour} * * *` : null,
    run: ({ now }) => runPaymentReminderJob({ ...job, today: civilDate(now) }),
  };
}
