import type { Language } from '../../channels/channel.js';
import type { MessageDocument, Template } from '../document.js';
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

/** What every practice message names: the practice as the citizen knows it. */
interface PracticeNaming {
  /** The practice type's title, e.g. "Ritiro rifiuti ingombranti a domicilio" (absent in older events). */
  practiceType?: string;
  /** The protocol number, once the practice is registered. */
  protocolNumber?: string;
  /** Messages recorded before protocol numbers travelled kept the practice id here; never shown. */
  reference?: string;
}

/** Data of a `practice-status-changed` message. */
export interface PracticeStatusChangedData extends PracticeNaming {
  status: NotifiedPracticeStatus;
  /** What the office wrote with the change: the reason of a rejection, a note otherwise. */
  note?: string;
  /** The note, as messages recorded before `note` kept it. */
  reason?: string;
  url: string;
}

/** Data of an `integration-requested` message. */
export interface IntegrationRequestedData extends PracticeNaming {
  /** Where the request is, when the office's text is not in the message. */
  request: string;
  /** What the office asks for, as staff wrote it. */
  message?: string;
  /** Deadline for the answer; absent when the office set none. */
  dueBy?: string;
  url: string;
}

/** Data of a `practice-message` message: the office wrote to the citizen on a practice. */
export interface PracticeMessageData extends PracticeNaming {
  /** The message, as staff wrote it (absent in older events: the citizen reads it in the practice). */
  text?: string;
  url: string;
}

/** Data of an `appointment-reminder` message. */
export interface AppointmentReminderData {
  /** The office in words. */
  service: string;
  office: string;
  address: string;
  startsAt: string;
  url: string;
}

/** Data of an `appointment-changed` message: the office moved the appointment. */
export interface AppointmentChangedData extends AppointmentReminderData {
  previousStartsAt: string;
}

/** Data of an `appointment-cancelled` message: the office cancelled the appointment. */
export interface AppointmentCancelledData extends AppointmentReminderData {
  /** Why, as staff wrote it. */
  reason?: string;
}

/** Data of a `report-status-changed` message (citizen reports, segnalazioni). */
export interface ReportStatusChangedData {
  /** The category in words. */
  category: string;
  /** Messages recorded earlier kept the report id here; never shown. */
  reference?: string;
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

/** The words every practice message shares, per language. */
const PRACTICE_WORDS: Record<
  Language,
  {
    /** "Your application" when the type's title is unknown. */
    yours: string;
    /** The practice, named by its title, inside a sentence. */
    named: (title: string | undefined) => string;
    protocolLabel: string;
    /** Label of the office's note: a rejection's reason, or a note. */
    noteLabel: (status: NotifiedPracticeStatus) => string;
    see: string;
  }
> = {
  it: {
    yours: 'La tua pratica',
    named: (t) => (t ? `la tua pratica "${t}"` : 'la tua pratica'),
    protocolLabel: 'Numero di protocollo',
    noteLabel: (s) => (s === 'rejected' ? 'Motivazione' : 'Nota dell’ufficio'),
    see: 'Vedi la pratica',
  },
  en: {
    yours: 'Your application',
    named: (t) => (t ? `your application "${t}"` : 'your application'),
    protocolLabel: 'Registration number',
    noteLabel: (s) => (s === 'rejected' ? 'Reason' : 'Note from the office'),
    see: 'See the application',
  },
  de: {
    yours: 'Ihr Antrag',
    named: (t) => (t ? `Ihr Antrag „${t}“` : 'Ihr Antrag'),
    protocolLabel: 'Protokollnummer',
    noteLabel: (s) => (s === 'rejected' ? 'Begründung' : 'Hinweis des Amtes'),
    see: 'Antrag ansehen',
  },
};

/** A text staff wrote, one paragraph per line or blank-line-separated block. */
export function paragraphsOf(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n|\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** ` "title"` after "la tua pratica", or nothing when the title is unknown. */
const quoted = (title: string | undefined) => (title ? ` "${title}"` : '');

function protocolFacts(d: PracticeNaming, language: Language) {
  return d.protocolNumber ? [{ label: PRACTICE_WORDS[language].protocolLabel, value: d.protocolNumber }] : [];
}

function noteParagraphs(d: PracticeStatusChangedData, language: Language): string[] {
  const note = d.note ?? d.reason;
  return note ? [`${PRACTICE_WORDS[language].noteLabel(d.status)}: ${note}`] : [];
}

export const practiceStatusChanged: Template<PracticeStatusChangedData> = {
  it: (d) => {
    const status = PRACTICE_STATUS.it[d.status];
    const registered = d.status === 'registered' && d.protocolNumber;
    return {
      severity: 'info',
      subject: `${d.practiceType ? `${d.practiceType}: pratica ${status}` : `La tua pratica è ${status}`}${d.protocolNumber ? ` (prot. n. ${d.protocolNumber})` : ''}`,
      heading: d.practiceType ? `${d.practiceType}: pratica ${status}` : `Pratica ${status}`,
      paragraphs: [
        registered
          ? `${capitalise(PRACTICE_WORDS.it.named(d.practiceType))} è stata protocollata con il numero ${d.protocolNumber}.`
          : `Lo stato della tua pratica${quoted(d.practiceType)} è cambiato: ora è ${status}.`,
        ...noteParagraphs(d, 'it'),
      ],
      facts: protocolFacts(d, 'it'),
      action: { label: PRACTICE_WORDS.it.see, url: d.url },
    };
  },
  en: (d) => {
    const status = PRACTICE_STATUS.en[d.status];
    const registered = d.status === 'registered' && d.protocolNumber;
    return {
      severity: 'info',
      subject: `${d.practiceType ? `${d.practiceType}: application ${status}` : `Your application is ${status}`}${d.protocolNumber ? ` (no. ${d.protocolNumber})` : ''}`,
      heading: d.practiceType ? `${d.practiceType}: application ${status}` : `Application ${status}`,
      paragraphs: [
        registered
          ? `${capitalise(PRACTICE_WORDS.en.named(d.practiceType))} has been registered with number ${d.protocolNumber}.`
          : `The status of ${PRACTICE_WORDS.en.named(d.practiceType)} has changed: it is now ${status}.`,
        ...noteParagraphs(d, 'en'),
      ],
      facts: protocolFacts(d, 'en'),
      action: { label: PRACTICE_WORDS.en.see, url: d.url },
    };
  },
  de: (d) => {
    const status = PRACTICE_STATUS.de[d.status];
    const registered = d.status === 'registered' && d.protocolNumber;
    return {
      severity: 'info',
      subject: `${d.practiceType ? `${d.practiceType}: Antrag ${status}` : `Ihr Antrag: ${status}`}${d.protocolNumber ? ` (Nr. ${d.protocolNumber})` : ''}`,
      heading: d.practiceType ? `${d.practiceType}: Antrag ${status}` : `Antrag ${status}`,
      paragraphs: [
        registered
          ? `${PRACTICE_WORDS.de.named(d.practiceType)} wurde unter der Nummer ${d.protocolNumber} protokolliert.`
          : `Der Status Ihres Antrags${d.practiceType ? ` „${d.practiceType}“` : ''} hat sich geändert: ${status}.`,
        ...noteParagraphs(d, 'de'),
      ],
      facts: protocolFacts(d, 'de'),
      action: { label: PRACTICE_WORDS.de.see, url: d.url },
    };
  },
};

export const integrationRequested: Template<IntegrationRequestedData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `${d.practiceType ?? PRACTICE_WORDS.it.yours}: ti chiediamo un'integrazione`,
    heading: d.practiceType ? `${d.practiceType}: serve un'integrazione` : "Serve un'integrazione",
    paragraphs: [
      ...(d.message
        ? [
            `Per proseguire con la tua pratica${quoted(d.practiceType)} l'ufficio ha bisogno di altre informazioni. Ti chiede:`,
            ...paragraphsOf(d.message),
          ]
        : [`L'ufficio ha bisogno di altre informazioni per proseguire: ${d.request}`]),
      ...(d.dueBy
        ? [`Rispondi entro il ${formatDate(d.dueBy, 'it')}, altrimenti la pratica potrebbe essere respinta.`]
        : []),
    ],
    facts: [
      ...protocolFacts(d, 'it'),
      ...(d.dueBy ? [{ label: 'Scadenza', value: formatDate(d.dueBy, 'it') }] : []),
    ],
    action: { label: 'Rispondi', url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `${d.practiceType ?? PRACTICE_WORDS.en.yours}: more information needed`,
    heading: d.practiceType ? `${d.practiceType}: more information needed` : 'More information needed',
    paragraphs: [
      ...(d.message
        ? [
            `The office needs more information to continue with ${PRACTICE_WORDS.en.named(d.practiceType)}. It asks:`,
            ...paragraphsOf(d.message),
          ]
        : [`The office needs more information to continue: ${d.request}`]),
      ...(d.dueBy
        ? [`Please reply by ${formatDate(d.dueBy, 'en')}, otherwise the application may be rejected.`]
        : []),
    ],
    facts: [
      ...protocolFacts(d, 'en'),
      ...(d.dueBy ? [{ label: 'Reply by', value: formatDate(d.dueBy, 'en') }] : []),
    ],
    action: { label: 'Reply', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `${d.practiceType ?? PRACTICE_WORDS.de.yours}: Ergänzung erforderlich`,
    heading: d.practiceType ? `${d.practiceType}: Ergänzung erforderlich` : 'Ergänzung erforderlich',
    paragraphs: [
      ...(d.message
        ? [
            `Das Amt benötigt für ${d.practiceType ? `Ihren Antrag „${d.practiceType}“` : 'Ihren Antrag'} weitere Angaben. Es bittet um Folgendes:`,
            ...paragraphsOf(d.message),
          ]
        : [`Das Amt benötigt weitere Angaben: ${d.request}`]),
      ...(d.dueBy
        ? [`Bitte antworten Sie bis ${formatDate(d.dueBy, 'de')}, sonst kann der Antrag abgelehnt werden.`]
        : []),
    ],
    facts: [
      ...protocolFacts(d, 'de'),
      ...(d.dueBy ? [{ label: 'Frist', value: formatDate(d.dueBy, 'de') }] : []),
    ],
    action: { label: 'Antworten', url: d.url },
  }),
};

export const practiceMessage: Template<PracticeMessageData> = {
  it: (d) => ({
    severity: 'info',
    subject: `${d.practiceType ?? PRACTICE_WORDS.it.yours}: nuovo messaggio dall'ufficio`,
    heading: "Un messaggio dall'ufficio",
    paragraphs: d.text
      ? [`L'ufficio ti ha scritto sulla tua pratica${quoted(d.practiceType)}:`, ...paragraphsOf(d.text)]
      : [
          `L'ufficio ti ha scritto sulla tua pratica${quoted(d.practiceType)}. Trovi il messaggio nella pratica.`,
        ],
    facts: protocolFacts(d, 'it'),
    action: { label: 'Leggi e rispondi', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `${d.practiceType ?? PRACTICE_WORDS.en.yours}: new message from the office`,
    heading: 'A message from the office',
    paragraphs: d.text
      ? [
          `The office has written to you about ${PRACTICE_WORDS.en.named(d.practiceType)}:`,
          ...paragraphsOf(d.text),
        ]
      : [
          `The office has written to you about ${PRACTICE_WORDS.en.named(d.practiceType)}. You will find the message in your application.`,
        ],
    facts: protocolFacts(d, 'en'),
    action: { label: 'Read and reply', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `${d.practiceType ?? PRACTICE_WORDS.de.yours}: neue Nachricht vom Amt`,
    heading: 'Eine Nachricht vom Amt',
    paragraphs: d.text
      ? [
          `Das Amt hat Ihnen zu ${d.practiceType ? `Ihrem Antrag „${d.practiceType}“` : 'Ihrem Antrag'} geschrieben:`,
          ...paragraphsOf(d.text),
        ]
      : [
          `Das Amt hat Ihnen zu ${d.practiceType ? `Ihrem Antrag „${d.practiceType}“` : 'Ihrem Antrag'} geschrieben. Sie finden die Nachricht in Ihrem Antrag.`,
        ],
    facts: protocolFacts(d, 'de'),
    action: { label: 'Lesen und antworten', url: d.url },
  }),
};

/** The facts of an appointment: when (and when it was before), which office, where. */
function appointmentFacts(
  d: AppointmentReminderData & { previousStartsAt?: string },
  language: Language,
  labels: { when: string; before: string; office: string; address: string },
): MessageDocument['facts'] {
  return [
    { label: labels.when, value: formatDateTime(d.startsAt, language) },
    ...(d.previousStartsAt
      ? [{ label: labels.before, value: formatDateTime(d.previousStartsAt, language) }]
      : []),
    { label: labels.office, value: d.office },
    { label: labels.address, value: d.address },
  ];
}

export const appointmentReminder: Template<AppointmentReminderData> = {
  it: (d) => ({
    severity: 'info',
    subject: `Promemoria appuntamento: ${d.service}, ${formatDateTime(d.startsAt, 'it')}`,
    heading: `Il tuo appuntamento: ${d.service}`,
    paragraphs: [
      "Ti ricordiamo l'appuntamento prenotato. Porta con te un documento d'identità; se non puoi venire, disdici per liberare il posto.",
    ],
    facts: appointmentFacts(d, 'it', { when: 'Quando', before: '', office: 'Ufficio', address: 'Indirizzo' }),
    action: { label: "Gestisci l'appuntamento", url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Appointment reminder: ${d.service}, ${formatDateTime(d.startsAt, 'en')}`,
    heading: `Your appointment: ${d.service}`,
    paragraphs: [
      'This is a reminder of your booked appointment. Bring an identity document; if you cannot come, please cancel to free the slot.',
    ],
    facts: appointmentFacts(d, 'en', { when: 'When', before: '', office: 'Office', address: 'Address' }),
    action: { label: 'Manage the appointment', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Terminerinnerung: ${d.service}, ${formatDateTime(d.startsAt, 'de')}`,
    heading: `Ihr Termin: ${d.service}`,
    paragraphs: [
      'Wir erinnern Sie an Ihren gebuchten Termin. Bringen Sie einen Ausweis mit; falls Sie nicht kommen können, sagen Sie bitte ab.',
    ],
    facts: appointmentFacts(d, 'de', { when: 'Wann', before: '', office: 'Amt', address: 'Adresse' }),
    action: { label: 'Termin verwalten', url: d.url },
  }),
};

export const appointmentChanged: Template<AppointmentChangedData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `Appuntamento spostato: ${d.service}, ora il ${formatDateTime(d.startsAt, 'it')}`,
    heading: 'Il tuo appuntamento è stato spostato',
    paragraphs: [
      `L'ufficio ha spostato il tuo appuntamento del ${formatDateTime(d.previousStartsAt, 'it')}: il nuovo orario è ${formatDateTime(d.startsAt, 'it')}.`,
      'Se il nuovo orario non ti va bene, puoi spostarlo di nuovo o disdirlo.',
    ],
    facts: appointmentFacts(d, 'it', {
      when: 'Nuovo orario',
      before: 'Orario precedente',
      office: 'Ufficio',
      address: 'Indirizzo',
    }),
    action: { label: "Gestisci l'appuntamento", url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `Appointment moved: ${d.service}, now ${formatDateTime(d.startsAt, 'en')}`,
    heading: 'Your appointment has been moved',
    paragraphs: [
      `The office has moved your appointment of ${formatDateTime(d.previousStartsAt, 'en')}: the new time is ${formatDateTime(d.startsAt, 'en')}.`,
      'If the new time does not suit you, you can move or cancel it.',
    ],
    facts: appointmentFacts(d, 'en', {
      when: 'New time',
      before: 'Previous time',
      office: 'Office',
      address: 'Address',
    }),
    action: { label: 'Manage the appointment', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `Termin verschoben: ${d.service}, jetzt ${formatDateTime(d.startsAt, 'de')}`,
    heading: 'Ihr Termin wurde verschoben',
    paragraphs: [
      `Das Amt hat Ihren Termin vom ${formatDateTime(d.previousStartsAt, 'de')} verschoben: Der neue Termin ist am ${formatDateTime(d.startsAt, 'de')}.`,
      'Wenn Ihnen der neue Termin nicht passt, können Sie ihn verschieben oder absagen.',
    ],
    facts: appointmentFacts(d, 'de', {
      when: 'Neuer Termin',
      before: 'Bisheriger Termin',
      office: 'Amt',
      address: 'Adresse',
    }),
    action: { label: 'Termin verwalten', url: d.url },
  }),
};

export const appointmentCancelled: Template<AppointmentCancelledData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `Appuntamento annullato: ${d.service}, ${formatDateTime(d.startsAt, 'it')}`,
    heading: 'Il tuo appuntamento è stato annullato',
    paragraphs: [
      `L'ufficio ha annullato il tuo appuntamento del ${formatDateTime(d.startsAt, 'it')}. Ci scusiamo per il disagio: puoi prenotarne un altro.`,
      ...(d.reason ? [`Motivo: ${d.reason}`] : []),
    ],
    facts: appointmentFacts(d, 'it', { when: 'Era il', before: '', office: 'Ufficio', address: 'Indirizzo' }),
    action: { label: 'Prenota un nuovo appuntamento', url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `Appointment cancelled: ${d.service}, ${formatDateTime(d.startsAt, 'en')}`,
    heading: 'Your appointment has been cancelled',
    paragraphs: [
      `The office has cancelled your appointment of ${formatDateTime(d.startsAt, 'en')}. We apologise for the inconvenience: you can book another one.`,
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
    ],
    facts: appointmentFacts(d, 'en', { when: 'It was on', before: '', office: 'Office', address: 'Address' }),
    action: { label: 'Book a new appointment', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `Termin abgesagt: ${d.service}, ${formatDateTime(d.startsAt, 'de')}`,
    heading: 'Ihr Termin wurde abgesagt',
    paragraphs: [
      `Das Amt hat Ihren Termin vom ${formatDateTime(d.startsAt, 'de')} abgesagt. Wir bitten um Entschuldigung: Sie können einen neuen Termin buchen.`,
      ...(d.reason ? [`Grund: ${d.reason}`] : []),
    ],
    facts: appointmentFacts(d, 'de', {
      when: 'Termin war am',
      before: '',
      office: 'Amt',
      address: 'Adresse',
    }),
    action: { label: 'Neuen Termin buchen', url: d.url },
  }),
};

export const reportStatusChanged: Template<ReportStatusChangedData> = {
  it: (d) => ({
    severity: 'info',
    subject: `La tua segnalazione "${d.category}" è ${REPORT_STATUS.it[d.status]}`,
    heading: `Segnalazione ${REPORT_STATUS.it[d.status]}: ${d.category}`,
    paragraphs: [
      `Grazie per la tua segnalazione. Il suo stato ora è: ${REPORT_STATUS.it[d.status]}.`,
      ...(d.note ? [`Nota dell’ufficio: ${d.note}`] : []),
    ],
    facts: [],
    action: { label: 'Vedi la segnalazione', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Your report "${d.category}" is ${REPORT_STATUS.en[d.status]}`,
    heading: `Report ${REPORT_STATUS.en[d.status]}: ${d.category}`,
    paragraphs: [
      `Thank you for your report. Its status is now: ${REPORT_STATUS.en[d.status]}.`,
      ...(d.note ? [`Note from the office: ${d.note}`] : []),
    ],
    facts: [],
    action: { label: 'See the report', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Ihre Meldung „${d.category}“: ${REPORT_STATUS.de[d.status]}`,
    heading: `Meldung ${REPORT_STATUS.de[d.status]}: ${d.category}`,
    paragraphs: [
      `Danke für Ihre Meldung. Ihr Status ist jetzt: ${REPORT_STATUS.de[d.status]}.`,
      ...(d.note ? [`Hinweis des Amtes: ${d.note}`] : []),
    ],
    facts: [],
    action: { label: 'Meldung ansehen', url: d.url },
  }),
};
