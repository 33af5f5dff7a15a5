import { registerGraphQLEnum } from '@sportello/platform';
import { PRACTICE_STATUSES, REPORT_STATUSES } from '@sportello/schema';
import { PRACTICE_ACTIONS } from '../domain/workflow.js';
import { FEE_REQUEST_MOMENTS } from '../entities/practice-type.entity.js';
import { PRACTICE_FEE_STATUSES } from '../entities/practice.entity.js';

export const PracticeStatusEnum = registerGraphQLEnum(PRACTICE_STATUSES, {
  name: 'PracticeStatus',
  description:
    'Where a practice is. DRAFT until submitted; SUBMITTED then REGISTERED (protocol number); TAKEN_IN_CHARGE ' +
    'by the office; INTEGRATION_REQUESTED / INTEGRATION_ANSWERED / SUBMITTED_AFTER_INTEGRATION while the ' +
    'office waits for more documents; PROCESSING; final: ACCEPTED, REJECTED, WITHDRAWN.',
  values: {
    DRAFT: 'Being written by the citizen; not visible to the office.',
    PAYMENT_PENDING: 'Waiting for the citizen to pay the fee’s pagoPA notice (see fee).',
    PAYMENT_OUTCOME_PENDING: 'A payment is under way; waiting for its outcome.',
    PAYMENT_SUCCEEDED: 'The fee is paid (or waived by staff); ready to submit.',
    PAYMENT_FAILED: 'The fee’s notice was cancelled unpaid; the citizen can ask for a new one.',
    SUBMITTED: 'Submitted to the office.',
    REGISTERED: 'Registered with a protocol number.',
    TAKEN_IN_CHARGE: 'An operator of the office handles it.',
    INTEGRATION_REQUESTED: 'The office asked for more documents or information.',
    INTEGRATION_ANSWERED: 'The citizen answered the integration request.',
    SUBMITTED_AFTER_INTEGRATION: 'Submitted again with the integration.',
    PROCESSING: 'The office is deciding.',
    ACCEPTED: 'Final: accepted.',
    REJECTED: 'Final: rejected; see outcomeReason.',
    WITHDRAWN: 'Final: withdrawn by the citizen.',
  },
});

export const PracticeActionEnum = registerGraphQLEnum(PRACTICE_ACTIONS, {
  name: 'PracticeAction',
  description: 'A step of the practice workflow (each mutation performs one or more).',
  values: {
    REQUEST_PAYMENT: 'The citizen asks for the pagoPA notice of the fee (on submission for some types).',
    NOTIFY_PAYMENT: 'The payment system reports a payment under way.',
    CONFIRM_PAYMENT: 'The receipt of the fee’s notice arrived.',
    REFUSE_PAYMENT: 'The payment system reports the payment failed.',
    EXEMPT_FEE: 'Staff exempt a draft from its fee, with the reason.',
    WAIVE_PAYMENT: 'Staff exempt a practice waiting for payment from its fee, with the reason.',
    SUBMIT: 'Submit the practice to the office.',
    SUBMIT_AFTER_PAYMENT:
      'A practice whose type charges on submission goes to the office once its fee is settled.',
    REGISTER: 'The protocol registers it with a number.',
    TAKE_IN_CHARGE: 'An operator takes it in charge.',
    REQUEST_INTEGRATION: 'Ask the citizen for more documents or information.',
    ANSWER_INTEGRATION: 'The citizen answers an integration request.',
    RESUBMIT_AFTER_INTEGRATION: 'The answered practice goes back to the office.',
    START_PROCESSING: 'Start deciding.',
    ACCEPT: 'Accept the practice.',
    REJECT: 'Reject the practice, with a reason.',
    WITHDRAW: 'The citizen withdraws the practice.',
  },
});

export const ReportStatusEnum = registerGraphQLEnum(REPORT_STATUSES, {
  name: 'ReportStatus',
  description: 'Where a citizen report is.',
  values: {
    RECEIVED: 'Filed, not yet looked at.',
    TAKEN_IN_CHARGE: 'The office took it in charge.',
    IN_PROGRESS: 'Work to solve the problem is under way.',
    RESOLVED: 'Final: the problem was solved.',
    REJECTED: 'Final: the office will not act on it; see the note.',
  },
});

export const ActorKindEnum = registerGraphQLEnum(['citizen', 'staff', 'client', 'system'], {
  name: 'PracticeActorKind',
  description: 'Who performed a step.',
  values: {
    CITIZEN: 'A citizen (the applicant or someone acting for them).',
    STAFF: 'A staff member of the comune.',
    CLIENT: 'An application acting through the API.',
    SYSTEM: 'The service itself, e.g. a scheduled job.',
  },
});

export const MessageAuthorEnum = registerGraphQLEnum(['citizen', 'staff'], {
  name: 'PracticeMessageAuthor',
  description: 'Which side of a practice wrote a message or uploaded a file.',
  values: {
    CITIZEN: 'The citizen.',
    STAFF: 'The office.',
  },
});

export const AppointmentStatusEnum = registerGraphQLEnum(['booked', 'cancelled'], {
  name: 'AppointmentStatus',
  description: 'Whether an appointment still stands.',
  values: {
    BOOKED: 'Booked.',
    CANCELLED: 'Cancelled; the slot is free again.',
  },
});

export const QueueOrderEnum = registerGraphQLEnum(['oldest-first', 'newest-first'], {
  name: 'PracticeQueueOrder',
  description: 'Which end of an office’s queue a page starts from (practices in submission order).',
  values: {
    OLDEST_FIRST: 'Longest waiting first: working through the queue.',
    NEWEST_FIRST: 'Latest first: what just arrived (live dashboards).',
  },
});

export const PracticeFeeStatusEnum = registerGraphQLEnum(['not-requested', ...PRACTICE_FEE_STATUSES], {
  name: 'PracticeFeeStatus',
  description: 'Where the pagoPA fee of a practice stands.',
  values: {
    NOT_REQUESTED: 'Not asked for yet: on submission, or by requestPracticePayment.',
    REQUESTED: 'Asked for; tributi is making the pagoPA notice.',
    TO_PAY: 'The pagoPA notice is ready to pay (see noticeNumber).',
    PAID: 'Paid: the receipt arrived.',
    CANCELLED: 'The notice was cancelled unpaid; the citizen can ask for a new one.',
    EXEMPT: 'Staff exempted the practice from its fee (see exemptionReason).',
  },
});

export const FeeRequestedOnEnum = registerGraphQLEnum(FEE_REQUEST_MOMENTS, {
  name: 'PracticeFeeRequestedOn',
  description: 'When the pagoPA notice of a practice type’s fee is asked for.',
  renames: { submit: 'SUBMISSION', request: 'CITIZEN_REQUEST' },
  values: {
    SUBMISSION: 'When the citizen submits: the practice waits for payment and is registered once paid.',
    CITIZEN_REQUEST: 'When the citizen asks (requestPracticePayment); they submit once it is paid.',
  },
});
