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

/** Data of a `payment-notice` message: a new notice to pay (mirrors `payment.position-created`). */
export type PaymentNoticeData = PaymentData;

/** Data of a `payment-received` message: the receipt of a notice was recorded. */
export interface PaymentReceivedData {
  amountCents: number;
  noticeNumber: string;
  paidAt: string;
  creditorName: string;
  url: string;
}

/** Data of a `payment-cancelled` message: the office cancelled a notice, which must not be paid. */
export interface PaymentCancelledData {
  noticeNumber: string;
  /** Why, as the office wrote it. */
  reason?: string;
  creditorName: string;
  url: string;
}

export const paymentNotice: Template<PaymentNoticeData> = {
  it: (d) => ({
    severity: 'info',
    subject: `Nuovo avviso di pagamento: ${d.description}`,
    heading: `Avviso di pagamento: ${d.description}`,
    paragraphs: [
      `${d.creditorName} ti ha inviato un avviso di pagamento di ${formatEuro(d.amountCents, 'it')} da pagare entro il ${formatDate(d.dueDate, 'it')}. Puoi pagare con pagoPA usando il codice avviso.`,
    ],
    facts: paymentFacts(d, ['Importo', 'Scadenza', 'Codice avviso', 'Ente creditore'], 'it'),
    action: { label: 'Paga ora', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `New payment notice: ${d.description}`,
    heading: `Payment notice: ${d.description}`,
    paragraphs: [
      `${d.creditorName} has sent you a payment notice of ${formatEuro(d.amountCents, 'en')}, due by ${formatDate(d.dueDate, 'en')}. You can pay with pagoPA using the notice code.`,
    ],
    facts: paymentFacts(d, ['Amount', 'Due date', 'Notice code', 'Creditor'], 'en'),
    action: { label: 'Pay now', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Neue Zahlungsaufforderung: ${d.description}`,
    heading: `Zahlungsaufforderung: ${d.description}`,
    paragraphs: [
      `${d.creditorName} hat Ihnen eine Zahlungsaufforderung über ${formatEuro(d.amountCents, 'de')} gesendet, fällig bis ${formatDate(d.dueDate, 'de')}. Sie können mit pagoPA über den Zahlungscode bezahlen.`,
    ],
    facts: paymentFacts(d, ['Betrag', 'Fälligkeit', 'Zahlungscode', 'Gläubiger'], 'de'),
    action: { label: 'Jetzt bezahlen', url: d.url },
  }),
};

export const paymentReceived: Template<PaymentReceivedData> = {
  it: (d) => ({
    severity: 'info',
    subject: `Pagamento ricevuto: ${formatEuro(d.amountCents, 'it')}`,
    heading: 'Abbiamo ricevuto il tuo pagamento',
    paragraphs: [
      `${d.creditorName} ha registrato il pagamento di ${formatEuro(d.amountCents, 'it')} dell'avviso ${formatNoticeNumber(d.noticeNumber)}. Grazie.`,
    ],
    facts: [
      { label: 'Importo', value: formatEuro(d.amountCents, 'it') },
      { label: 'Pagato il', value: formatDate(d.paidAt, 'it') },
      { label: 'Codice avviso', value: formatNoticeNumber(d.noticeNumber) },
    ],
    action: { label: 'Vedi la ricevuta', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: `Payment received: ${formatEuro(d.amountCents, 'en')}`,
    heading: 'We have received your payment',
    paragraphs: [
      `${d.creditorName} has recorded your payment of ${formatEuro(d.amountCents, 'en')} for notice ${formatNoticeNumber(d.noticeNumber)}. Thank you.`,
    ],
    facts: [
      { label: 'Amount', value: formatEuro(d.amountCents, 'en') },
      { label: 'Paid on', value: formatDate(d.paidAt, 'en') },
      { label: 'Notice code', value: formatNoticeNumber(d.noticeNumber) },
    ],
    action: { label: 'See the receipt', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: `Zahlung eingegangen: ${formatEuro(d.amountCents, 'de')}`,
    heading: 'Wir haben Ihre Zahlung erhalten',
    paragraphs: [
      `${d.creditorName} hat Ihre Zahlung über ${formatEuro(d.amountCents, 'de')} für die Zahlungsaufforderung ${formatNoticeNumber(d.noticeNumber)} verbucht. Vielen Dank.`,
    ],
    facts: [
      { label: 'Betrag', value: formatEuro(d.amountCents, 'de') },
      { label: 'Bezahlt am', value: formatDate(d.paidAt, 'de') },
      { label: 'Zahlungscode', value: formatNoticeNumber(d.noticeNumber) },
    ],
    action: { label: 'Beleg ansehen', url: d.url },
  }),
};

export const paymentCancelled: Template<PaymentCancelledData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `Avviso di pagamento annullato: ${formatNoticeNumber(d.noticeNumber)}`,
    heading: 'Avviso di pagamento annullato: non pagarlo',
    paragraphs: [
      `${d.creditorName} ha annullato l'avviso di pagamento ${formatNoticeNumber(d.noticeNumber)}: non va pagato. Se l'hai già pagato, contatta l'ufficio tributi per il rimborso.`,
      ...(d.reason ? [`Motivo: ${d.reason}`] : []),
    ],
    facts: [{ label: 'Codice avviso', value: formatNoticeNumber(d.noticeNumber) }],
    action: { label: 'I tuoi pagamenti', url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `Payment notice cancelled: ${formatNoticeNumber(d.noticeNumber)}`,
    heading: 'Payment notice cancelled: do not pay it',
    paragraphs: [
      `${d.creditorName} has cancelled payment notice ${formatNoticeNumber(d.noticeNumber)}: it must not be paid. If you have already paid it, contact the local tax office for a refund.`,
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
    ],
    facts: [{ label: 'Notice code', value: formatNoticeNumber(d.noticeNumber) }],
    action: { label: 'Your payments', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `Zahlungsaufforderung storniert: ${formatNoticeNumber(d.noticeNumber)}`,
    heading: 'Zahlungsaufforderung storniert: bitte nicht bezahlen',
    paragraphs: [
      `${d.creditorName} hat die Zahlungsaufforderung ${formatNoticeNumber(d.noticeNumber)} storniert: Sie ist nicht zu bezahlen. Falls Sie bereits bezahlt haben, wenden Sie sich für die Erstattung an das Steueramt.`,
      ...(d.reason ? [`Grund: ${d.reason}`] : []),
    ],
    facts: [{ label: 'Zahlungscode', value: formatNoticeNumber(d.noticeNumber) }],
    action: { label: 'Ihre Zahlungen', url: d.url },
  }),
};
