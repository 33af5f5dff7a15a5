import { PRACTICE_STATUSES, REPORT_STATUSES } from '@sportello/schema';
import { graphqlEnumOf } from '@sportello/platform';
import { registerEnumType } from 'type-graphql';
import { PRACTICE_ACTIONS } from '../domain/workflow.js';
import { PRACTICE_FEE_STATUSES } from '../entities/practice.entity.js';

export const PracticeStatusEnum = graphqlEnumOf(PRACTICE_STATUSES);
export const PracticeActionEnum = graphqlEnumOf(PRACTICE_ACTIONS);
export const ReportStatusEnum = graphqlEnumOf(REPORT_STATUSES);
export const ActorKindEnum = graphqlEnumOf(['citizen', 'staff', 'client', 'system'] as const);
export const MessageAuthorEnum = graphqlEnumOf(['citizen', 'staff'] as const);
export const AppointmentStatusEnum = graphqlEnumOf(['booked', 'cancelled'] as const);
export const QueueOrderEnum = graphqlEnumOf(['oldest-first', 'newest-first'] as const);
export const PracticeFeeStatusEnum = graphqlEnumOf(['not-requested', ...PRACTICE_FEE_STATUSES] as const);
export const FeeRequestedOnEnum = { SUBMISSION: 'submit', CITIZEN_REQUEST: 'request' } as const;

registerEnumType(PracticeStatusEnum, {
  name: 'PracticeStatus',
  description:
    'Where a practice is. DRAFT until submitted; SUBMITTED then REGISTERED (protocol number); TAKEN_IN_CHARGE ' +
    'by the office; INTEGRATION_REQUESTED / INTEGRATION_ANSWERED / SUBMITTED_AFTER_INTEGRATION while the ' +
    'office waits for more documents; PROCESSING; final: ACCEPTED, REJECTED, WITHDRAWN.',
  valuesConfig: {
    DRAFT: { description: 'Being written by the citizen; not visible to the office.' },
    PAYMENT_PENDING: { description: 'Waiting for the citizen to pay the fee’s pagoPA notice (see fee).' },
    PAYMENT_OUTCOME_PENDING: { description: 'A payment is under way; waiting for its outcome.' },
    PAYMENT_SUCCEEDED: { description: 'The fee is paid (or waived by staff); ready to submit.' },
    PAYMENT_FAILED: {
      description: 'The fee’s notice was cancelled unpaid; the citizen can ask for a new one.',
    },
    SUBMITTED: { description: 'Submitted to the office.' },
    REGISTERED: { description: 'Registered with a protocol number.' },
    TAKEN_IN_CHARGE: { description: 'An operator of the office handles it.' },
    INTEGRATION_REQUESTED: { description: 'The office asked for more documents or information.' },
    INTEGRATION_ANSWERED: { description: 'The citizen answered the integration request.' },
    SUBMITTED_AFTER_INTEGRATION: { description: 'Submitted again with the integration.' },
    PROCESSING: { description: 'The office is deciding.' },
    ACCEPTED: { description: 'Final: accepted.' },
    REJECTED: { description: 'Final: rejected; see outcomeReason.' },
    WITHDRAWN: { description: 'Final: withdrawn by the citizen.' },
  },
});
registerEnumType(PracticeActionEnum, {
  name: 'PracticeAction',
  description: 'A step of the practice workflow (each mutation performs one or more).',
  valuesConfig: {
    REQUEST_PAYMENT: {
      description: 'The citizen asks for the pagoPA notice of the fee (on submission for some types).',
    },
    NOTIFY_PAYMENT: { description: 'The payment system reports a payment under way.' },
    CONFIRM_PAYMENT: { description: 'The receipt of the fee’s notice arrived.' },
    REFUSE_PAYMENT: { description: 'The payment system reports the payment failed.' },
    EXEMPT_FEE: { description: 'Staff exempt a draft from its fee, with the reason.' },
    WAIVE_PAYMENT: {
      description: 'Staff exempt a practice waiting for payment from its fee, with the reason.',
    },
    SUBMIT: { description: 'Submit the practice to the office.' },
    SUBMIT_AFTER_PAYMENT: {
      description: 'A practice whose type charges on submission goes to the office once its fee is settled.',
    },
    REGISTER: { description: 'The protocol registers it with a number.' },
    TAKE_IN_CHARGE: { description: 'An operator takes it in charge.' },
    REQUEST_INTEGRATION: { description: 'Ask the citizen for more documents or information.' },
    ANSWER_INTEGRATION: { description: 'The citizen answers an integration request.' },
    RESUBMIT_AFTER_INTEGRATION: { description: 'The answered practice goes back to the office.' },
    START_PROCESSING: { description: 'Start deciding.' },
    ACCEPT: { description: 'Accept the practice.' },
    REJECT: { description: 'Reject the practice, with a reason.' },
    WITHDRAW: { description: 'The citizen withdraws the practice.' },
  },
});
registerEnumType(ReportStatusEnum, {
  name: 'ReportStatus',
  description: 'Where a citizen report is.',
  valuesConfig: {
    RECEIVED: { description: 'Filed, not yet looked at.' },
    TAKEN_IN_CHARGE: { description: 'The office took it in charge.' },
    IN_PROGRESS: { description: 'Work to solve the problem is under way.' },
    RESOLVED: { description: 'Final: the problem was solved.' },
    REJECTED: { description: 'Final: the office will not act on it; see the note.' },
  },
});
registerEnumType(ActorKindEnum, {
  name: 'PracticeActorKind',
  description: 'Who performed a step.',
  valuesConfig: {
    CITIZEN: { description: 'A citizen (the applicant or someone acting for them).' },
    STAFF: { description: 'A staff member of the comune.' },
    CLIENT: { description: 'An application acting through the API.' },
    SYSTEM: { description: 'The service itself, e.g. a scheduled job.' },
  },
});
registerEnumType(MessageAuthorEnum, {
  name: 'PracticeMessageAuthor',
  description: 'Which side of a practice wrote a message or uploaded a file.',
  valuesConfig: {
    CITIZEN: { description: 'The citizen.' },
    STAFF: { description: 'The office.' },
  },
});
registerEnumType(AppointmentStatusEnum, {
  name: 'AppointmentStatus',
  description: 'Whether an appointment still stands.',
  valuesConfig: {
    BOOKED: { description: 'Booked.' },
    CANCELLED: { description: 'Cancelled; the slot is free again.' },
  },
});
registerEnumType(QueueOrderEnum, {
  name: 'PracticeQueueOrder',
  description: 'Which end of an office’s queue a page starts from (practices in submission order).',
  valuesConfig: {
    OLDEST_FIRST: { description: 'Longest waiting first: working through the queue.' },
    NEWEST_FIRST: { description: 'Latest first: what just arrived (live dashboards).' },
  },
});
registerEnumType(PracticeFeeStatusEnum, {
  name: 'PracticeFeeStatus',
  description: 'Where the pagoPA fee of a practice stands.',
  valuesConfig: {
    NOT_REQUESTED: { description: 'Not asked for yet: on submission, or by requestPracticePayment.' },
    REQUESTED: { description: 'Asked for; tributi is making the pagoPA notice.' },
    TO_PAY: { description: 'The pagoPA notice is ready to pay (see noticeNumber).' },
    PAID: { description: 'Paid: the receipt arrived.' },
    CANCELLED: { description: 'The notice was cancelled unpaid; the citizen can ask for a new one.' },
    EXEMPT: { description: 'Staff exempted the practice from its fee (see exemptionReason).' },
  },
});
registerEnumType(FeeRequestedOnEnum, {
  name: 'PracticeFeeRequestedOn',
  description: 'When the pagoPA notice of a practice type’s fee is asked for.',
  valuesConfig: {
    SUBMISSION: {
      description: 'When the citizen submits: the practice waits for payment and is registered once paid.',
    },
    CITIZEN_REQUEST: {
      description: 'When the citizen asks (requestPracticePayment); they submit once it is paid.',
    },
  },
});
