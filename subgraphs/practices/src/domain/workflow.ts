import { PRACTICE_STATUSES, type PracticeStatus } from '@sportello/schema';

/**
 * The life cycle of a practice as data: one row per action, with the states it may start from,
 * the state it leads to and who may take it. {@link checkTransition} is the only place that reads
 * it, so a new step is one row here, not a new `if` in a resolver.
 */

/** Who takes an action: the applicant (or their delegate), office staff, or the service itself. */
export type WorkflowRole = 'citizen' | 'staff' | 'system';

export const PRACTICE_ACTIONS = [
  'request-payment',
  'notify-payment',
  'confirm-payment',
  'refuse-payment',
  'exempt-fee',
  'waive-payment',
  'submit',
  'submit-after-payment',
  'register',
  'take-in-charge',
  'request-integration',
  'answer-integration',
  'resubmit-after-integration',
  'start-processing',
  'accept',
  'reject',
  'withdraw',
] as const;
export type PracticeAction = (typeof PRACTICE_ACTIONS)[number];

/** One row of the transition table. */
export interface Transition {
  action: PracticeAction;
  from: readonly PracticeStatus[];
  to: PracticeStatus;
  by: WorkflowRole;
  /** The action needs a reason or message written for the citizen. */
  noteRequired?: boolean;
}

/** States from which no action leads anywhere. */
export const FINAL_STATUSES: readonly PracticeStatus[] = ['accepted', 'rejected', 'withdrawn'];

/** States in which the citizen may change the form and the attachments. */
export const EDITABLE_STATUSES: readonly PracticeStatus[] = [
  'draft',
  'payment-failed',
  'integration-requested',
];

const OPEN_STATUSES = PRACTICE_STATUSES.filter((status) => !FINAL_STATUSES.includes(status));

/** The transition table (see DOMAIN.md, "Practices"). */
export const PRACTICE_TRANSITIONS: readonly Transition[] = [
  // Practices with a fee paid through pagoPA go through the payment states before submission.
  { action: 'request-payment', from: ['draft', 'payment-failed'], to: 'payment-pending', by: 'citizen' },
  { action: 'notify-payment', from: ['payment-pending'], to: 'payment-outcome-pending', by: 'system' },
  {
    action: 'confirm-payment',
    from: ['payment-pending', 'payment-outcome-pending'],
    to: 'payment-succeeded',
    by: 'system',
  },
  {
    action: 'refuse-payment',
    from: ['payment-pending', 'payment-outcome-pending'],
    to: 'payment-failed',
    by: 'system',
  },
  // Staff exempt a practice from its fee, with the reason: still a draft, it may then be submitted
  // unpaid; already waiting for payment, its fee counts as settled.
  { action: 'exempt-fee', from: ['draft'], to: 'draft', by: 'staff', noteRequired: true },
  {
    action: 'waive-payment',
    from: ['payment-pending', 'payment-outcome-pending', 'payment-failed'],
    to: 'payment-succeeded',
    by: 'staff',
    noteRequired: true,
  },
  { action: 'submit', from: ['draft', 'payment-succeeded'], to: 'submitted', by: 'citizen' },
  // A type that charges on submission goes on by itself once the fee is settled.
  { action: 'submit-after-payment', from: ['payment-succeeded'], to: 'submitted', by: 'system' },
  { action: 'register', from: ['submitted', 'submitted-after-integration'], to: 'registered', by: 'system' },
  { action: 'take-in-charge', from: ['registered'], to: 'taken-in-charge', by: 'staff' },
  {
    action: 'request-integration',
    from: ['taken-in-charge', 'processing'],
    to: 'integration-requested',
    by: 'staff',
    noteRequired: true,
  },
  {
    action: 'answer-integration',
    from: ['integration-requested'],
    to: 'integration-answered',
    by: 'citizen',
    noteRequired: true,
  },
  {
    action: 'resubmit-after-integration',
    from: ['integration-answered'],
    to: 'submitted-after-integration',
    by: 'system',
  },
  { action: 'start-processing', from: ['taken-in-charge'], to: 'processing', by: 'staff' },
  { action: 'accept', from: ['processing'], to: 'accepted', by: 'staff' },
  {
    action: 'reject',
    from: ['taken-in-charge', 'processing'],
    to: 'rejected',
    by: 'staff',
    noteRequired: true,
  },
  { action: 'withdraw', from: OPEN_STATUSES, to: 'withdrawn', by: 'citizen' },
];

/** Why a transition was refused. */
export type TransitionRefusal =
  | {
      kind: 'not-allowed-from';
      status: PracticeStatus;
      action: PracticeAction;
      allowedFrom: readonly PracticeStatus[];
    }
  | { kind: 'wrong-role'; action: PracticeAction; role: WorkflowRole; requiredRole: WorkflowRole }
  | { kind: 'note-required'; action: PracticeAction };

export type TransitionCheck =
  { ok: true; transition: Transition } | { ok: false; refusal: TransitionRefusal };

/**
 * Whether `role` may take `action` on a practice in `status`, according to
 * {@link PRACTICE_TRANSITIONS}. Pure: the caller turns a refusal into a client error.
 */
export function checkTransition(
  status: PracticeStatus,
  action: PracticeAction,
  role: WorkflowRole,
  note?: string | null,
): TransitionCheck {
  const transition = PRACTICE_TRANSITIONS.find((row) => row.action === action);
  if (transition === undefined) {
    // The action list and the table are declared together; a missing row is a programming error.
    throw new Error(`no transition row for action ${action}`);
  }
  if (transition.by !== role) {
    return { ok: false, refusal: { kind: 'wrong-role', action, role, requiredRole: transition.by } };
  }
  if (!transition.from.includes(status)) {
    return { ok: false, refusal: { kind: 'not-allowed-from', status, action, allowedFrom: transition.from } };
  }
  if (transition.noteRequired === true && (note ?? '').trim() === '') {
    return { ok: false, refusal: { kind: 'note-required', action } };
  }
  return { ok: true, transition };
}

/** The actions `role` may take on a practice in `status` (what a client shows as buttons). */
export function availableActions(status: PracticeStatus, role: WorkflowRole): PracticeAction[] {
  return PRACTICE_TRANSITIONS.filter((row) => row.by === role && row.from.includes(status)).map(
    (row) => row.action,
  );
}

export function isFinal(status: PracticeStatus): boolean {
  return FINAL_STATUSES.includes(status);
}
