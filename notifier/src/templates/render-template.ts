import type { MessageDocument, Template, TemplateContext } from './document.js';
import {
  alertEnded,
  alertIssued,
  alertUpdated,
  ordinancePublished,
  type AlertEndedData,
  type AlertIssuedData,
  type AlertUpdatedData,
  type OrdinancePublishedData,
} from './kinds/civil-protection.js';
import {
  certificateReady,
  delegationEnded,
  documentExpired,
  residenceChangeStatus,
  type CertificateReadyData,
  type DelegationEndedData,
  type DocumentExpiredData,
  type ResidenceChangeData,
} from './kinds/anagrafe.js';
import {
  appointmentCancelled,
  appointmentChanged,
  appointmentReminder,
  integrationRequested,
  practiceMessage,
  practiceStatusChanged,
  reportStatusChanged,
  type AppointmentCancelledData,
  type AppointmentChangedData,
  type AppointmentReminderData,
  type IntegrationRequestedData,
  type PracticeMessageData,
  type PracticeStatusChangedData,
  type ReportStatusChangedData,
} from './kinds/practices.js';
import {
  documentExpiring,
  paymentCancelled,
  paymentDueSoon,
  paymentNotice,
  paymentOverdue,
  paymentReceived,
  type DocumentExpiringData,
  type PaymentCancelledData,
  type PaymentData,
  type PaymentNoticeData,
  type PaymentReceivedData,
} from './kinds/tributi.js';
import { renderDocument, type RenderedMessage } from './render.js';

/** Every message kind the notifier can render, with its data. */
export type TemplateInput =
  | { kind: 'ordinance-published'; data: OrdinancePublishedData }
  | { kind: 'alert-issued'; data: AlertIssuedData }
  | { kind: 'alert-updated'; data: AlertUpdatedData }
  | { kind: 'alert-ended'; data: AlertEndedData }
  | { kind: 'practice-status-changed'; data: PracticeStatusChangedData }
  | { kind: 'integration-requested'; data: IntegrationRequestedData }
  | { kind: 'practice-message'; data: PracticeMessageData }
  | { kind: 'payment-due-soon'; data: PaymentData }
  | { kind: 'payment-overdue'; data: PaymentData }
  | { kind: 'payment-notice'; data: PaymentNoticeData }
  | { kind: 'payment-received'; data: PaymentReceivedData }
  | { kind: 'payment-cancelled'; data: PaymentCancelledData }
  | { kind: 'document-expiring'; data: DocumentExpiringData }
  | { kind: 'document-expired'; data: DocumentExpiredData }
  | { kind: 'appointment-reminder'; data: AppointmentReminderData }
  | { kind: 'appointment-changed'; data: AppointmentChangedData }
  | { kind: 'appointment-cancelled'; data: AppointmentCancelledData }
  | { kind: 'residence-change-status'; data: ResidenceChangeData }
  | { kind: 'certificate-ready'; data: CertificateReadyData }
  | { kind: 'delegation-ended'; data: DelegationEndedData }
  | { kind: 'report-status-changed'; data: ReportStatusChangedData };

/** The message kinds, for iteration. */
export type MessageKind = TemplateInput['kind'];

const TEMPLATES: { [K in MessageKind]: Template<Extract<TemplateInput, { kind: K }>['data']> } = {
  'ordinance-published': ordinancePublished,
  'alert-issued': alertIssued,
  'alert-updated': alertUpdated,
  'alert-ended': alertEnded,
  'practice-status-changed': practiceStatusChanged,
  'integration-requested': integrationRequested,
  'practice-message': practiceMessage,
  'payment-due-soon': paymentDueSoon,
  'payment-overdue': paymentOverdue,
  'payment-notice': paymentNotice,
  'payment-received': paymentReceived,
  'payment-cancelled': paymentCancelled,
  'document-expiring': documentExpiring,
  'document-expired': documentExpired,
  'appointment-reminder': appointmentReminder,
  'appointment-changed': appointmentChanged,
  'appointment-cancelled': appointmentCancelled,
  'residence-change-status': residenceChangeStatus,
  'certificate-ready': certificateReady,
  'delegation-ended': delegationEnded,
  'report-status-changed': reportStatusChanged,
};

/** The structured document of a message, before rendering (also tells the severity). */
export function composeMessage(input: TemplateInput, context: TemplateContext): MessageDocument {
  const template = TEMPLATES[input.kind] as Template<typeof input.data>;
  return template[context.language](input.data, context);
}

/**
 * Renders a message kind in the recipient's language for every channel: subject, plain text,
 * escaped HTML, Telegram MarkdownV2 and App IO markdown.
 */
export function renderMessage(
  input: TemplateInput,
  context: TemplateContext,
): RenderedMessage & { severity: MessageDocument['severity'] } {
  const doc = composeMessage(input, context);
  return { ...renderDocument(doc, context), severity: doc.severity };
}
