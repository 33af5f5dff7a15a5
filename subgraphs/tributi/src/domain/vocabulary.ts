/**
 * Where a payment position stands, as the citizen sees it:
 * - `to-pay`: at least one instalment is still open and none is past its due date;
 * - `expired`: an open instalment passed its due date (it can still be paid, late);
 * - `paid`: every instalment is paid;
 * - `cancelled`: the office withdrew it; its notices must not be paid.
 */
export const POSITION_STATUSES = ['to-pay', 'paid', 'expired', 'cancelled'] as const;
export type PositionStatus = (typeof POSITION_STATUSES)[number];

/** One notice (instalment) of a position. */
export const INSTALMENT_STATUSES = ['unpaid', 'paid', 'cancelled'] as const;
export type InstalmentStatus = (typeof INSTALMENT_STATUSES)[number];

/** Reminders the daily job sends for an instalment. */
export const REMINDER_KINDS = ['due-soon', 'overdue'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** Life of a bulk creation job. */
export const BULK_JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type BulkJobStatus = (typeof BULK_JOB_STATUSES)[number];

/** The office whose staff manage payment positions. */
export const TRIBUTI_OFFICE = 'tributi';
