/** Languages of the dashboard: Italian first, English on request. */
export type Language = 'it' | 'en';

const it = {
  title: 'Sportello · cruscotto del personale',
  skip: 'Vai al contenuto',
  signIn: 'Accedi',
  signOut: 'Esci',
  signInIntro:
    'Il cruscotto mostra in diretta il lavoro del tuo ufficio. Accedi con le credenziali del personale.',
  signingIn: 'Accesso in corso…',
  signInFailed: 'Accesso non riuscito',
  sessionExpired: 'La sessione è scaduta: accedi di nuovo.',
  sessionEnded: 'La sessione è terminata: accedi di nuovo.',
  signedOutIdle: 'Sei uscito per inattività: accedi di nuovo.',
  language: 'Language: English',
  languageLabel: 'Switch to English',
  signedInAs: 'Accesso come',
  connection: 'Collegamento',
  connected: 'in diretta',
  connecting: 'collegamento…',
  reconnecting: 'riconnessione…',
  queue: 'Pratiche in coda',
  office: 'Ufficio',
  counts: 'Pratiche per stato',
  noPractices: 'Nessuna pratica in coda.',
  protocol: 'Protocollo',
  type: 'Tipo',
  status: 'Stato',
  submittedAt: 'Presentata',
  updatedAt: 'Aggiornata',
  newPractice: 'Nuova pratica',
  practiceUpdated: 'Pratica aggiornata',
  alerts: 'Allerte attive',
  noAlerts: 'Nessuna allerta attiva.',
  validUntil: 'valida fino al',
  ordinances: 'Ordinanze in vigore',
  noOrdinances: 'Nessuna ordinanza in vigore.',
  newAlert: 'Allerta',
  newOrdinance: 'Nuova ordinanza',
  payments: 'Pagamenti di oggi',
  noPayments: 'Nessun pagamento oggi.',
  paymentsTotal: 'Totale',
  notice: 'Avviso',
  amount: 'Importo',
  paidAt: 'Ora',
  newPayment: 'Pagamento ricevuto',
  deliveries: 'Invio delle ultime notifiche',
  noDeliveries: 'Nessuna notifica inviata di recente.',
  event: 'Evento',
  channel: 'Canale',
  planned: 'Pianificati',
  sent: 'Inviati',
  failed: 'Falliti',
  dead: 'Abbandonati',
  deadLetters: 'Invii abbandonati',
  noDeadLetters: 'Nessun invio abbandonato.',
  attempts: 'Tentativi',
  lastError: 'Ultimo errore',
  replay: 'Riprova',
  replayed: 'Invio riprogrammato',
  loading: 'Caricamento…',
  error: 'Errore',
  colour: { GREEN: 'verde', YELLOW: 'gialla', ORANGE: 'arancione', RED: 'rossa' } as Record<string, string>,
  practiceStatus: {
    DRAFT: 'Bozza',
    PAYMENT_PENDING: 'In attesa di pagamento',
    PAYMENT_OUTCOME_PENDING: 'Esito pagamento in attesa',
    PAYMENT_SUCCEEDED: 'Pagamento riuscito',
    PAYMENT_FAILED: 'Pagamento non riuscito',
    SUBMITTED: 'Presentata',
    REGISTERED: 'Protocollata',
    TAKEN_IN_CHARGE: 'Presa in carico',
    INTEGRATION_REQUESTED: 'Integrazione richiesta',
    INTEGRATION_ANSWERED: 'Integrazione inviata',
    SUBMITTED_AFTER_INTEGRATION: 'Ripresentata dopo integrazione',
    PROCESSING: 'In lavorazione',
    ACCEPTED: 'Accolta',
    REJECTED: 'Respinta',
    WITHDRAWN: 'Ritirata',
  } as Record<string, string>,
};

export type Messages = typeof it;

const en: Messages = {
  title: 'Sportello · staff dashboard',
  skip: 'Skip to content',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInIntro: "The dashboard shows your office's work as it arrives. Sign in with your staff account.",
  signingIn: 'Signing in…',
  signInFailed: 'Sign-in failed',
  sessionExpired: 'Your session has expired: sign in again.',
  sessionEnded: 'Your session has ended: sign in again.',
  signedOutIdle: 'You were signed out after a period of inactivity: sign in again.',
  language: 'Lingua: italiano',
  languageLabel: "Passa all'italiano",
  signedInAs: 'Signed in as',
  connection: 'Connection',
  connected: 'live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  queue: 'Practice queue',
  office: 'Office',
  counts: 'Practices by status',
  noPractices: 'No practices in the queue.',
  protocol: 'Protocol',
  type: 'Type',
  status: 'Status',
  submittedAt: 'Submitted',
  updatedAt: 'Updated',
  newPractice: 'New practice',
  practiceUpdated: 'Practice updated',
  alerts: 'Active alerts',
  noAlerts: 'No active alerts.',
  validUntil: 'valid until',
  ordinances: 'Ordinances in force',
  noOrdinances: 'No ordinances in force.',
  newAlert: 'Alert',
  newOrdinance: 'New ordinance',
  payments: "Today's payments",
  noPayments: 'No payments today.',
  paymentsTotal: 'Total',
  notice: 'Notice',
  amount: 'Amount',
  paidAt: 'Time',
  newPayment: 'Payment received',
  deliveries: 'Delivery of the latest notifications',
  noDeliveries: 'No notifications sent recently.',
  event: 'Event',
  channel: 'Channel',
  planned: 'Planned',
  sent: 'Sent',
  failed: 'Failed',
  dead: 'Given up',
  deadLetters: 'Dead letters',
  noDeadLetters: 'No dead letters.',
  attempts: 'Attempts',
  lastError: 'Last error',
  replay: 'Replay',
  replayed: 'Delivery rescheduled',
  loading: 'Loading…',
  error: 'Error',
  colour: { GREEN: 'green', YELLOW: 'yellow', ORANGE: 'orange', RED: 'red' },
  practiceStatus: {
    DRAFT: 'Draft',
    PAYMENT_PENDING: 'Payment pending',
    PAYMENT_OUTCOME_PENDING: 'Payment outcome pending',
    PAYMENT_SUCCEEDED: 'Payment succeeded',
    PAYMENT_FAILED: 'Payment failed',
    SUBMITTED: 'Submitted',
    REGISTERED: 'Registered',
    TAKEN_IN_CHARGE: 'Taken in charge',
    INTEGRATION_REQUESTED: 'Integration requested',
    INTEGRATION_ANSWERED: 'Integration answered',
    SUBMITTED_AFTER_INTEGRATION: 'Resubmitted after integration',
    PROCESSING: 'Processing',
    ACCEPTED: 'Accepted',
    REJECTED: 'Rejected',
    WITHDRAWN: 'Withdrawn',
  },
};

const MESSAGES: Record<Language, Messages> = { it, en };
const STORAGE_KEY = 'sportello.dashboard.language';

/** The language chosen last time on this browser, Italian otherwise. */
export function storedLanguage(): Language {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'it';
}

export function storeLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
}

export function messages(language: Language): Messages {
  return MESSAGES[language];
}

/** Dates and amounts the way the chosen language writes them (Italian: `1.020,99 €`). */
export function formats(language: Language) {
  const locale = language === 'it' ? 'it-IT' : 'en-GB';
  const timeZone = 'Europe/Rome';
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'medium', timeZone });
  const euro = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });
  return {
    dateTime: (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—'),
    time: (iso: string) => time.format(new Date(iso)),
    cents: (cents: number) => euro.format(cents / 100),
  };
}
