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
  appointmentReminder,
  integrationRequested,
  practiceStatusChanged,
  reportStatusChanged,
  type AppointmentReminderData,
  type IntegrationRequestedData,
  type PracticeStatusChangedData,
  type ReportStatusChangedData,
} from './kinds/practices.js';
import {
  documentExpiring,
  paymentDueSoon,
  paymentOverdue,
  type DocumentExpiringData,
  type PaymentData,
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
  | { kind: 'payment-due-soon'; data: PaymentData }
  | { kind: 'payment-overdue'; data: PaymentData }
  | { kind: 'document-expiring'; data: DocumentExpiringData }
  | { kind: 'appointment-reminder'; data: AppointmentReminderData }
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
  'payment-due-soon': paymentDueSoon,
  'payment-overdue': paymentOverdue,
  'document-expiring': documentExpiring,
  'appointment-reminder': appointmentReminder,
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
