import type { Language } from '../../channels/channel.js';
import type { Template } from '../document.js';
import { formatDate, formatDateTime } from '../formatting.js';

/** Practice statuses a citizen is told about. */
export type NotifiedPracticeStatus =
  | 'submitted'
  | 'registered'
  | 'taken-in-charge'
  | 'integration-requested'
  | 'submitted-after-integration'
  | 'accepted'
  | 'rejected'
  | 'withdrawn';

/** Data of a `practice-status-changed` message. */
export interface PracticeStatusChangedData {
  practiceType: string;
  /** Public reference (protocol number or practice number). */
  reference: string;
  status: NotifiedPracticeStatus;
  /** Outcome reason, for accepted/rejected. */
  reason?: string;
  url: string;
}

/** Data of an `integration-requested` message. */
export interface IntegrationRequestedData {
  practiceType: string;
  reference: string;
  /** What the office asks for. */
  request: string;
  /** Deadline for the answer; absent when the office set none. */
  dueBy?: string;
  url: string;
}

/** Data of an `appointment-reminder` message. */
export interface AppointmentReminderData {
  service: string;
  office: string;
  address: string;
  startsAt: string;
  url: string;
}

/** Data of a `report-status-changed` message (citizen reports, segnalazioni). */
export interface ReportStatusChangedData {
  category: string;
  reference: string;
  status: 'received' | 'in-progress' | 'resolved' | 'rejected';
  note?: string;
  url: string;
}

const PRACTICE_STATUS: Record<Language, Record<NotifiedPracticeStatus, string>> = {
  it: {
    submitted: 'inviata',
    registered: 'protocollata',
    'taken-in-charge': 'presa in carico',
    'integration-requested': 'in attesa di integrazione',
    'submitted-after-integration': 'inviata dopo integrazione',
    accepted: 'accolta',
    rejected: 'respinta',
    withdrawn: 'ritirata',
  },
  en: {
    submitted: 'submitted',
    registered: 'registered',
    'taken-in-charge': 'taken in charge',
    'integration-requested': 'waiting for more information',
    'submitted-after-integration': 'resubmitted with more information',
    accepted: 'accepted',
    rejected: 'rejected',
    withdrawn: 'withdrawn',
  },
  de: {
    submitted: 'eingereicht',
    registered: 'protokolliert',
    'taken-in-charge': 'in Bearbeitung genommen',
    'integration-requested': 'wartet auf Ergänzung',
    'submitted-after-integration': 'nach Ergänzung eingereicht',
    accepted: 'angenommen',
    rejected: 'abgelehnt',
    withdrawn: 'zurückgezogen',
  },
};

const REPORT_STATUS: Record<Language, Record<ReportStatusChangedData['status'], string>> = {
  it: { received: 'ricevuta', 'in-progress': 'in lavorazione', resolved: 'risolta', rejected: 'non accolta' },
  en: { received: 'received', 'in-progress': 'in progress', resolved: 'resolved', rejected: 'not accepted' },
  de: {
    received: 'eingegangen',
    'in-progress': 'in Bearbeitung',
    resolved: 'erledigt',
    rejected: 'nicht angenommen',
  },
};

export const practiceStatusChanged: Template<PracticeStatusChangedData> = {
  it: (d) => ({
    severity: 'info',
    subject: `La tua pratica ${d.reference} è ${PRACTICE_STATUS.it[d.status]}`,
    heading: `${d.practiceType}: pratica ${PRACTICE_STATUS.it[d.status]}`,
    paragraphs: [
      `Lo stato della tua pratica "${d.practiceType}" è cambiato: ora è ${PRACTICE_STATUS.it[d.status]}.`,
      ...(d.reason ? [`Motivazione: ${d.reason}`] : []),
    ],
    facts: [{ label: 'Riferimento', value: d.reference }],
    action: { label: 'Vedi la pratica', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Your application ${d.reference} is ${PRACTICE_STATUS.en[d.status]}`,
    heading: `${d.practiceType}: application ${PRACTICE_STATUS.en[d.status]}`,
    paragraphs: [
      `The status of your application "${d.practiceType}" has changed: it is now ${PRACTICE_STATUS.en[d.status]}.`,
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
    ],
    facts: [{ label: 'Reference', value: d.reference }],
    action: { label: 'See the application', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Ihr Antrag ${d.reference}: ${PRACTICE_STATUS.de[d.status]}`,
    heading: `${d.practiceType}: Antrag ${PRACTICE_STATUS.de[d.status]}`,
    paragraphs: [
      `Der Status Ihres Antrags „${d.practiceType}“ hat sich geändert: ${PRACTICE_STATUS.de[d.status]}.`,
      ...(d.reason ? [`Begründung: ${d.reason}`] : []),
    ],
    facts: [{ label: 'Aktenzeichen', value: d.reference }],
    action: { label: 'Antrag ansehen', url: d.url },
  }),
};

export const integrationRequested: Template<IntegrationRequestedData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `Pratica ${d.reference}: ti chiediamo un'integrazione`,
    heading: `${d.practiceType}: serve un'integrazione`,
    paragraphs: [
      `L'ufficio ha bisogno di altre informazioni per proseguire: ${d.request}`,
      ...(d.dueBy
        ? [`Rispondi entro il ${formatDate(d.dueBy, 'it')}, altrimenti la pratica potrebbe essere respinta.`]
        : []),
    ],
    facts: [
      { label: 'Riferimento', value: d.reference },
      ...(d.dueBy ? [{ label: 'Scadenza', value: formatDate(d.dueBy, 'it') }] : []),
    ],
    action: { label: 'Rispondi', url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `Application ${d.reference}: more information needed`,
    heading: `${d.practiceType}: more information needed`,
    paragraphs: [
      `The office needs more information to continue: ${d.request}`,
      ...(d.dueBy
        ? [`Please reply by ${formatDate(d.dueBy, 'en')}, otherwise the application may be rejected.`]
        : []),
    ],
    facts: [
      { label: 'Reference', value: d.reference },
      ...(d.dueBy ? [{ label: 'Reply by', value: formatDate(d.dueBy, 'en') }] : []),
    ],
    action: { label: 'Reply', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `Antrag ${d.reference}: Ergänzung erforderlich`,
    heading: `${d.practiceType}: Ergänzung erforderlich`,
    paragraphs: [
      `Das Amt benötigt weitere Angaben: ${d.request}`,
      ...(d.dueBy
        ? [`Bitte antworten Sie bis ${formatDate(d.dueBy, 'de')}, sonst kann der Antrag abgelehnt werden.`]
        : []),
    ],
    facts: [
      { label: 'Aktenzeichen', value: d.reference },
      ...(d.dueBy ? [{ label: 'Frist', value: formatDate(d.dueBy, 'de') }] : []),
    ],
    action: { label: 'Antworten', url: d.url },
  }),
};

export const appointmentReminder: Template<AppointmentReminderData> = {
  it: (d) => ({
    severity: 'info',
    subject: `Promemoria appuntamento: ${d.service}, ${formatDateTime(d.startsAt, 'it')}`,
    heading: `Il tuo appuntamento: ${d.service}`,
    paragraphs: [
      "Ti ricordiamo l'appuntamento prenotato. Porta con te un documento d'identità; se non puoi venire, disdici per liberare il posto.",
    ],
    facts: [
      { label: 'Quando', value: formatDateTime(d.startsAt, 'it') },
      { label: 'Ufficio', value: d.office },
      { label: 'Indirizzo', value: d.address },
    ],
    action: { label: "Gestisci l'appuntamento", url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Appointment reminder: ${d.service}, ${formatDateTime(d.startsAt, 'en')}`,
    heading: `Your appointment: ${d.service}`,
    paragraphs: [
      'This is a reminder of your booked appointment. Bring an identity document; if you cannot come, please cancel to free the slot.',
    ],
    facts: [
      { label: 'When', value: formatDateTime(d.startsAt, 'en') },
      { label: 'Office', value: d.office },
      { label: 'Address', value: d.address },
    ],
    action: { label: 'Manage the appointment', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Terminerinnerung: ${d.service}, ${formatDateTime(d.startsAt, 'de')}`,
    heading: `Ihr Termin: ${d.service}`,
    paragraphs: [
      'Wir erinnern Sie an Ihren gebuchten Termin. Bringen Sie einen Ausweis mit; falls Sie nicht kommen können, sagen Sie bitte ab.',
    ],
    facts: [
      { label: 'Wann', value: formatDateTime(d.startsAt, 'de') },
      { label: 'Amt', value: d.office },
      { label: 'Adresse', value: d.address },
    ],
    action: { label: 'Termin verwalten', url: d.url },
  }),
};

export const reportStatusChanged: Template<ReportStatusChangedData> = {
  it: (d) => ({
    severity: 'info',
    subject: `La tua segnalazione ${d.reference} è ${REPORT_STATUS.it[d.status]}`,
    heading: `Segnalazione ${REPORT_STATUS.it[d.status]}: ${d.category}`,
    paragraphs: [
      `Grazie per la tua segnalazione. Il suo stato ora è: ${REPORT_STATUS.it[d.status]}.`,
      ...(d.note ? [d.note] : []),
    ],
    facts: [{ label: 'Riferimento', value: d.reference }],
    action: { label: 'Vedi la segnalazione', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Your report ${d.reference} is ${REPORT_STATUS.en[d.status]}`,
    heading: `Report ${REPORT_STATUS.en[d.status]}: ${d.category}`,
    paragraphs: [
      `Thank you for your report. Its status is now: ${REPORT_STATUS.en[d.status]}.`,
      ...(d.note ? [d.note] : []),
    ],
    facts: [{ label: 'Reference', value: d.reference }],
    action: { label: 'See the report', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Ihre Meldung ${d.reference}: ${REPORT_STATUS.de[d.status]}`,
    heading: `Meldung ${REPORT_STATUS.de[d.status]}: ${d.category}`,
    paragraphs: [
      `Danke für Ihre Meldung. Ihr Status ist jetzt: ${REPORT_STATUS.de[d.status]}.`,
      ...(d.note ? [d.note] : []),
    ],
    facts: [{ label: 'Aktenzeichen', value: d.reference }],
    action: { label: 'Meldung ansehen', url: d.url },
  }),
};
