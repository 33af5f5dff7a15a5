import type { Template } from '../document.js';
import { formatDate, formatEuro, formatNoticeNumber } from '../formatting.js';

/** Data of `payment-due-soon` and `payment-overdue` messages (mirrors the tributi events). */
export interface PaymentData {
  /** What is due, e.g. "IMU 2025, prima rata". */
  description: string;
  amountCents: number;
  dueDate: string;
  noticeNumber: string;
  creditorName: string;
  url: string;
}

/** Data of a `document-expiring` message (mirrors the anagrafe event). */
export interface DocumentExpiringData {
  /** The document in words, e.g. "carta d'identità elettronica". */
  document: string;
  expiresOn: string;
  /** From when renewal can be requested. */
  renewableFrom?: string;
  url: string;
}

function paymentFacts(
  d: PaymentData,
  labels: [string, string, string, string],
  language: 'it' | 'en' | 'de',
) {
  return [
    { label: labels[0], value: formatEuro(d.amountCents, language) },
    { label: labels[1], value: formatDate(d.dueDate, language) },
    { label: labels[2], value: formatNoticeNumber(d.noticeNumber) },
    { label: labels[3], value: d.creditorName },
  ];
}

export const paymentDueSoon: Template<PaymentData> = {
  it: (d) => ({
    severity: 'info',
    subject: `${d.description}: scadenza il ${formatDate(d.dueDate, 'it')}`,
    heading: `Pagamento in scadenza: ${d.description}`,
    paragraphs: [
      `Ti ricordiamo che il ${formatDate(d.dueDate, 'it')} scade il pagamento di ${formatEuro(d.amountCents, 'it')}. Puoi pagare con pagoPA usando il codice avviso.`,
    ],
    facts: paymentFacts(d, ['Importo', 'Scadenza', 'Codice avviso', 'Ente creditore'], 'it'),
    action: { label: 'Paga ora', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `${d.description}: due on ${formatDate(d.dueDate, 'en')}`,
    heading: `Payment due soon: ${d.description}`,
    paragraphs: [
      `A payment of ${formatEuro(d.amountCents, 'en')} is due on ${formatDate(d.dueDate, 'en')}. You can pay with pagoPA using the notice code.`,
    ],
    facts: paymentFacts(d, ['Amount', 'Due date', 'Notice code', 'Creditor'], 'en'),
    action: { label: 'Pay now', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `${d.description}: fällig am ${formatDate(d.dueDate, 'de')}`,
    heading: `Zahlung bald fällig: ${d.description}`,
    paragraphs: [
      `Am ${formatDate(d.dueDate, 'de')} ist eine Zahlung von ${formatEuro(d.amountCents, 'de')} fällig. Sie können mit pagoPA über den Zahlungscode bezahlen.`,
    ],
    facts: paymentFacts(d, ['Betrag', 'Fälligkeit', 'Zahlungscode', 'Gläubiger'], 'de'),
    action: { label: 'Jetzt bezahlen', url: d.url },
  }),
};

export const paymentOverdue: Template<PaymentData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `${d.description}: pagamento scaduto`,
    heading: `Pagamento scaduto: ${d.description}`,
    paragraphs: [
      `Il pagamento di ${formatEuro(d.amountCents, 'it')} era in scadenza il ${formatDate(d.dueDate, 'it')} e non risulta ancora ricevuto. Se hai già pagato, ignora questo messaggio.`,
    ],
    facts: paymentFacts(d, ['Importo', 'Scadenza', 'Codice avviso', 'Ente creditore'], 'it'),
    action: { label: 'Paga ora', url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `${d.description}: payment overdue`,
    heading: `Payment overdue: ${d.description}`,
    paragraphs: [
      `The payment of ${formatEuro(d.amountCents, 'en')} was due on ${formatDate(d.dueDate, 'en')} and has not been received yet. If you have already paid, please ignore this message.`,
    ],
    facts: paymentFacts(d, ['Amount', 'Due date', 'Notice code', 'Creditor'], 'en'),
    action: { label: 'Pay now', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `${d.description}: Zahlung überfällig`,
    heading: `Zahlung überfällig: ${d.description}`,
    paragraphs: [
      `Die Zahlung von ${formatEuro(d.amountCents, 'de')} war am ${formatDate(d.dueDate, 'de')} fällig und ist noch nicht eingegangen. Falls Sie bereits bezahlt haben, ignorieren Sie diese Nachricht.`,
    ],
    facts: paymentFacts(d, ['Betrag', 'Fälligkeit', 'Zahlungscode', 'Gläubiger'], 'de'),
    action: { label: 'Jetzt bezahlen', url: d.url },
  }),
};

export const documentExpiring: Template<DocumentExpiringData> = {
  it: (d) => ({
    severity: 'info',
    subject: `La tua ${d.document} scade il ${formatDate(d.expiresOn, 'it')}`,
    heading: `Documento in scadenza: ${d.document}`,
    paragraphs: [
      `Il documento scade il ${formatDate(d.expiresOn, 'it')}.${d.renewableFrom ? ` Puoi chiederne il rinnovo dal ${formatDate(d.renewableFrom, 'it')}.` : ''} Prenota per tempo un appuntamento.`,
    ],
    facts: [{ label: 'Scadenza', value: formatDate(d.expiresOn, 'it') }],
    action: { label: 'Prenota il rinnovo', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Your ${d.document} expires on ${formatDate(d.expiresOn, 'en')}`,
    heading: `Document expiring: ${d.document}`,
    paragraphs: [
      `The document expires on ${formatDate(d.expiresOn, 'en')}.${d.renewableFrom ? ` You can request its renewal from ${formatDate(d.renewableFrom, 'en')}.` : ''} Book an appointment in good time.`,
    ],
    facts: [{ label: 'Expires on', value: formatDate(d.expiresOn, 'en') }],
    action: { label: 'Book the renewal', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Ihr Dokument (${d.document}) läuft am ${formatDate(d.expiresOn, 'de')} ab`,
    heading: `Dokument läuft ab: ${d.document}`,
    paragraphs: [
      `Das Dokument läuft am ${formatDate(d.expiresOn, 'de')} ab.${d.renewableFrom ? ` Die Verlängerung ist ab ${formatDate(d.renewableFrom, 'de')} möglich.` : ''} Buchen Sie rechtzeitig einen Termin.`,
    ],
    facts: [{ label: 'Ablaufdatum', value: formatDate(d.expiresOn, 'de') }],
    action: { label: 'Verlängerung buchen', url: d.url },
  }),
};
