import type { ResidenceChangeStatus } from '@sportello/schema';
import type { Language } from '../../channels/channel.js';
import type { MessageDocument, Template } from '../document.js';
import { formatDate } from '../formatting.js';
import { paragraphsOf } from './practices.js';

/** Data of a `residence-change-status` message: a step of the citizen's change of residence. */
export interface ResidenceChangeData {
  status: ResidenceChangeStatus;
  /** What the registry office wrote: the obstacles, the reason of a rejection, a note. */
  note?: string;
  /** After a notice of obstacles: the last day to reply (10 days). */
  replyBy?: string;
  url: string;
}

/** Data of a `document-expired` message. */
export interface DocumentExpiredData {
  /** The document in words, e.g. "carta d'identità cartacea". */
  document: string;
  /** Paper identity cards lost their validity by EU law, whatever date they bear. */
  kind: 'CIE' | 'paper';
  expiredOn: string;
  url: string;
}

interface ResidenceWords {
  subject: string;
  heading: string;
  paragraphs: (d: ResidenceChangeData) => string[];
  noteLabel: string;
}

const RESIDENCE: Record<Language, Record<ResidenceChangeStatus, ResidenceWords>> = {
  it: {
    declared: {
      subject: 'Cambio di residenza: dichiarazione ricevuta',
      heading: 'Abbiamo ricevuto la tua dichiarazione di cambio di residenza',
      paragraphs: () => [
        "L'ufficio anagrafe la registrerà entro 2 giorni lavorativi; gli effetti decorrono dalla data della dichiarazione.",
      ],
      noteLabel: 'Nota dell’ufficio',
    },
    registered: {
      subject: 'Cambio di residenza: dichiarazione registrata',
      heading: 'La tua dichiarazione di cambio di residenza è stata registrata',
      paragraphs: () => [
        "L'ufficio anagrafe verificherà i requisiti entro 45 giorni (anche con un sopralluogo della polizia locale). Se non ricevi comunicazioni entro quel termine, il cambio di residenza è confermato.",
      ],
      noteLabel: 'Nota dell’ufficio',
    },
    'obstacles-notified': {
      subject: 'Cambio di residenza: comunicazione dei motivi ostativi',
      heading: 'Ci sono motivi che impediscono di accogliere la tua dichiarazione',
      paragraphs: (d) => [
        `L'ufficio anagrafe ti comunica i motivi che impediscono di accogliere la dichiarazione di cambio di residenza (art. 10-bis della legge 241/1990). Puoi rispondere con osservazioni e documenti${d.replyBy ? ` entro il ${formatDate(d.replyBy, 'it')}` : ' entro 10 giorni'}; senza risposta la dichiarazione sarà respinta.`,
      ],
      noteLabel: 'Motivi',
    },
    accepted: {
      subject: 'Cambio di residenza: accolto',
      heading: 'Il tuo cambio di residenza è stato accolto',
      paragraphs: () => ['Gli accertamenti sono conclusi: la nuova residenza è confermata.'],
      noteLabel: 'Nota dell’ufficio',
    },
    rejected: {
      subject: 'Cambio di residenza: dichiarazione respinta',
      heading: 'La tua dichiarazione di cambio di residenza è stata respinta',
      paragraphs: () => [
        'La posizione anagrafica torna quella precedente alla dichiarazione. Contro il provvedimento puoi ricorrere al Prefetto entro 30 giorni.',
      ],
      noteLabel: 'Motivazione',
    },
    withdrawn: {
      subject: 'Cambio di residenza: dichiarazione ritirata',
      heading: 'La tua dichiarazione di cambio di residenza è stata ritirata',
      paragraphs: () => ['La dichiarazione non ha più effetto.'],
      noteLabel: 'Nota dell’ufficio',
    },
  },
  en: {
    declared: {
      subject: 'Change of residence: declaration received',
      heading: 'We have received your change of residence declaration',
      paragraphs: () => [
        'The registry office will register it within 2 working days; it takes effect from the date of the declaration.',
      ],
      noteLabel: 'Note from the office',
    },
    registered: {
      subject: 'Change of residence: declaration registered',
      heading: 'Your change of residence declaration has been registered',
      paragraphs: () => [
        'The registry office will check the requirements within 45 days (possibly with a visit by the local police). If you hear nothing by then, your change of residence is confirmed.',
      ],
      noteLabel: 'Note from the office',
    },
    'obstacles-notified': {
      subject: 'Change of residence: notice of obstacles',
      heading: 'There are reasons that prevent accepting your declaration',
      paragraphs: (d) => [
        `The registry office informs you of the reasons that prevent accepting your change of residence declaration (art. 10-bis of law 241/1990). You can reply with comments and documents${d.replyBy ? ` by ${formatDate(d.replyBy, 'en')}` : ' within 10 days'}; without a reply the declaration will be rejected.`,
      ],
      noteLabel: 'Reasons',
    },
    accepted: {
      subject: 'Change of residence: accepted',
      heading: 'Your change of residence has been accepted',
      paragraphs: () => ['The checks are complete: your new residence is confirmed.'],
      noteLabel: 'Note from the office',
    },
    rejected: {
      subject: 'Change of residence: declaration rejected',
      heading: 'Your change of residence declaration has been rejected',
      paragraphs: () => [
        'Your registry record returns to what it was before the declaration. You can appeal to the Prefect within 30 days.',
      ],
      noteLabel: 'Reason',
    },
    withdrawn: {
      subject: 'Change of residence: declaration withdrawn',
      heading: 'Your change of residence declaration has been withdrawn',
      paragraphs: () => ['The declaration no longer has any effect.'],
      noteLabel: 'Note from the office',
    },
  },
  de: {
    declared: {
      subject: 'Wohnsitzwechsel: Erklärung eingegangen',
      heading: 'Wir haben Ihre Erklärung zum Wohnsitzwechsel erhalten',
      paragraphs: () => [
        'Das Meldeamt trägt sie innerhalb von 2 Werktagen ein; sie wirkt ab dem Tag der Erklärung.',
      ],
      noteLabel: 'Hinweis des Amtes',
    },
    registered: {
      subject: 'Wohnsitzwechsel: Erklärung eingetragen',
      heading: 'Ihre Erklärung zum Wohnsitzwechsel wurde eingetragen',
      paragraphs: () => [
        'Das Meldeamt prüft die Voraussetzungen innerhalb von 45 Tagen (gegebenenfalls mit einem Besuch der Ortspolizei). Hören Sie bis dahin nichts, ist der Wohnsitzwechsel bestätigt.',
      ],
      noteLabel: 'Hinweis des Amtes',
    },
    'obstacles-notified': {
      subject: 'Wohnsitzwechsel: Mitteilung von Hinderungsgründen',
      heading: 'Es gibt Gründe, die der Annahme Ihrer Erklärung entgegenstehen',
      paragraphs: (d) => [
        `Das Meldeamt teilt Ihnen die Gründe mit, die der Annahme Ihrer Erklärung zum Wohnsitzwechsel entgegenstehen (Art. 10-bis Gesetz 241/1990). Sie können${d.replyBy ? ` bis ${formatDate(d.replyBy, 'de')}` : ' innerhalb von 10 Tagen'} mit Stellungnahme und Unterlagen antworten; ohne Antwort wird die Erklärung abgelehnt.`,
      ],
      noteLabel: 'Gründe',
    },
    accepted: {
      subject: 'Wohnsitzwechsel: angenommen',
      heading: 'Ihr Wohnsitzwechsel wurde angenommen',
      paragraphs: () => ['Die Prüfung ist abgeschlossen: Ihr neuer Wohnsitz ist bestätigt.'],
      noteLabel: 'Hinweis des Amtes',
    },
    rejected: {
      subject: 'Wohnsitzwechsel: Erklärung abgelehnt',
      heading: 'Ihre Erklärung zum Wohnsitzwechsel wurde abgelehnt',
      paragraphs: () => [
        'Ihre Meldedaten werden auf den Stand vor der Erklärung zurückgesetzt. Sie können innerhalb von 30 Tagen Beschwerde beim Präfekten einlegen.',
      ],
      noteLabel: 'Begründung',
    },
    withdrawn: {
      subject: 'Wohnsitzwechsel: Erklärung zurückgezogen',
      heading: 'Ihre Erklärung zum Wohnsitzwechsel wurde zurückgezogen',
      paragraphs: () => ['Die Erklärung hat keine Wirkung mehr.'],
      noteLabel: 'Hinweis des Amtes',
    },
  },
};

const REPLY_BY: Record<Language, string> = { it: 'Rispondi entro', en: 'Reply by', de: 'Antwort bis' };
const SEE: Record<Language, string> = {
  it: 'Vedi la dichiarazione',
  en: 'See the declaration',
  de: 'Erklärung ansehen',
};
const REPLY: Record<Language, string> = { it: 'Rispondi', en: 'Reply', de: 'Antworten' };

function residenceChange(language: Language) {
  return (d: ResidenceChangeData): MessageDocument => {
    const words = RESIDENCE[language][d.status];
    const obstacles = d.status === 'obstacles-notified';
    return {
      severity: obstacles || d.status === 'rejected' ? 'warning' : 'info',
      subject: words.subject,
      heading: words.heading,
      paragraphs: [
        ...(d.note
          ? obstacles
            ? [`${words.noteLabel}:`, ...paragraphsOf(d.note)]
            : [`${words.noteLabel}: ${d.note}`]
          : []),
        ...words.paragraphs(d),
      ],
      facts:
        d.replyBy && obstacles ? [{ label: REPLY_BY[language], value: formatDate(d.replyBy, language) }] : [],
      action: { label: obstacles ? REPLY[language] : SEE[language], url: d.url },
    };
  };
}

export const residenceChangeStatus: Template<ResidenceChangeData> = {
  it: residenceChange('it'),
  en: residenceChange('en'),
  de: residenceChange('de'),
};

export const documentExpired: Template<DocumentExpiredData> = {
  it: (d) => ({
    severity: 'warning',
    subject: `La tua ${d.document} non è più valida`,
    heading: `Documento non più valido: ${d.document}`,
    paragraphs: [
      d.kind === 'paper'
        ? `La tua carta d'identità cartacea è scaduta il ${formatDate(d.expiredOn, 'it')}: per il Regolamento UE 2019/1157 le carte cartacee non sono più valide in tutta l'Unione europea, anche se riportano una scadenza successiva. Non vale più come documento di riconoscimento né per l'espatrio.`
        : `La tua carta d'identità elettronica è scaduta il ${formatDate(d.expiredOn, 'it')}: non vale più come documento di riconoscimento né per l'espatrio.`,
      "Prenota un appuntamento all'ufficio anagrafe per la nuova carta d'identità elettronica (CIE).",
    ],
    facts: [{ label: 'Scaduta il', value: formatDate(d.expiredOn, 'it') }],
    action: { label: 'Prenota la CIE', url: d.url },
  }),
  en: (d) => ({
    severity: 'warning',
    subject: `Your ${d.document} is no longer valid`,
    heading: `Document no longer valid: ${d.document}`,
    paragraphs: [
      d.kind === 'paper'
        ? `Your paper identity card expired on ${formatDate(d.expiredOn, 'en')}: under Regulation (EU) 2019/1157 paper cards are no longer valid anywhere in the European Union, even if they show a later expiry date. It no longer proves your identity or lets you travel abroad.`
        : `Your electronic identity card expired on ${formatDate(d.expiredOn, 'en')}: it no longer proves your identity or lets you travel abroad.`,
      'Book an appointment at the registry office for a new electronic identity card (CIE).',
    ],
    facts: [{ label: 'Expired on', value: formatDate(d.expiredOn, 'en') }],
    action: { label: 'Book the CIE', url: d.url },
  }),
  de: (d) => ({
    severity: 'warning',
    subject: `Ihr Dokument (${d.document}) ist nicht mehr gültig`,
    heading: `Dokument nicht mehr gültig: ${d.document}`,
    paragraphs: [
      d.kind === 'paper'
        ? `Ihr Personalausweis in Papierform ist am ${formatDate(d.expiredOn, 'de')} abgelaufen: Nach der Verordnung (EU) 2019/1157 sind Personalausweise in Papierform in der gesamten Europäischen Union ungültig, auch wenn ein späteres Ablaufdatum aufgedruckt ist. Er gilt nicht mehr als Ausweisdokument und nicht für Reisen ins Ausland.`
        : `Ihr elektronischer Personalausweis ist am ${formatDate(d.expiredOn, 'de')} abgelaufen: Er gilt nicht mehr als Ausweisdokument und nicht für Reisen ins Ausland.`,
      'Buchen Sie beim Meldeamt einen Termin für einen neuen elektronischen Personalausweis (CIE).',
    ],
    facts: [{ label: 'Abgelaufen am', value: formatDate(d.expiredOn, 'de') }],
    action: { label: 'CIE-Termin buchen', url: d.url },
  }),
};

/** Data of a `delegation-ended` message, the same for both people of the delegation. */
export interface DelegationEndedData {
  /** `majority`: the child turned 18; `expired`: the delegation reached its end date. */
  reason: 'majority' | 'expired';
  kind: 'minor-child' | 'delegating-adult';
  endedOn: string;
  url: string;
}

export const delegationEnded: Template<DelegationEndedData> = {
  it: (d) =>
    d.reason === 'majority'
      ? {
          severity: 'info',
          subject: 'Delega terminata: compimento dei 18 anni',
          heading: 'La delega del genitore è terminata',
          paragraphs: [
            `Il ${formatDate(d.endedOn, 'it')} il figlio o la figlia per cui agiva un genitore ha compiuto 18 anni: da quel giorno il genitore non può più presentare pratiche, consultare dati o ricevere comunicazioni per suo conto su Sportello.`,
            'Chi è diventato maggiorenne accede ai servizi con la propria identità digitale (SPID o CIE) e, se vuole farsi ancora aiutare, può delegare il genitore.',
          ],
          facts: [{ label: 'Terminata il', value: formatDate(d.endedOn, 'it') }],
          action: { label: 'Vedi le deleghe', url: d.url },
        }
      : {
          severity: 'info',
          subject: 'Delega scaduta',
          heading: 'Una delega è scaduta',
          paragraphs: [
            `La delega è scaduta il ${formatDate(d.endedOn, 'it')}: la persona delegata non può più agire per conto di chi l'aveva delegata su Sportello. Se serve, il delegante può conferire una nuova delega.`,
          ],
          facts: [{ label: 'Scaduta il', value: formatDate(d.endedOn, 'it') }],
          action: { label: 'Vedi le deleghe', url: d.url },
        },
  en: (d) =>
    d.reason === 'majority'
      ? {
          severity: 'info',
          subject: 'Delegation ended: turning 18',
          heading: 'The parent’s delegation has ended',
          paragraphs: [
            `On ${formatDate(d.endedOn, 'en')} the son or daughter a parent acted for turned 18: from that day the parent can no longer submit applications, see data or receive notices on their behalf on Sportello.`,
            'The new adult uses the services with their own digital identity (SPID or CIE) and, if they still want help, can delegate the parent.',
          ],
          facts: [{ label: 'Ended on', value: formatDate(d.endedOn, 'en') }],
          action: { label: 'See delegations', url: d.url },
        }
      : {
          severity: 'info',
          subject: 'Delegation expired',
          heading: 'A delegation has expired',
          paragraphs: [
            `The delegation expired on ${formatDate(d.endedOn, 'en')}: the delegate can no longer act on Sportello for the person who delegated them. If needed, that person can grant a new delegation.`,
          ],
          facts: [{ label: 'Expired on', value: formatDate(d.endedOn, 'en') }],
          action: { label: 'See delegations', url: d.url },
        },
  de: (d) =>
    d.reason === 'majority'
      ? {
          severity: 'info',
          subject: 'Vollmacht beendet: Volljährigkeit',
          heading: 'Die Vollmacht des Elternteils ist beendet',
          paragraphs: [
            `Am ${formatDate(d.endedOn, 'de')} ist der Sohn oder die Tochter, für den oder die ein Elternteil handelte, 18 Jahre alt geworden: Seit diesem Tag kann der Elternteil auf Sportello keine Anträge mehr für ihn oder sie stellen, keine Daten einsehen und keine Mitteilungen erhalten.`,
            'Wer volljährig geworden ist, nutzt die Dienste mit der eigenen digitalen Identität (SPID oder CIE) und kann den Elternteil bevollmächtigen, wenn er oder sie weiter Hilfe möchte.',
          ],
          facts: [{ label: 'Beendet am', value: formatDate(d.endedOn, 'de') }],
          action: { label: 'Vollmachten ansehen', url: d.url },
        }
      : {
          severity: 'info',
          subject: 'Vollmacht abgelaufen',
          heading: 'Eine Vollmacht ist abgelaufen',
          paragraphs: [
            `Die Vollmacht ist am ${formatDate(d.endedOn, 'de')} abgelaufen: Die bevollmächtigte Person kann auf Sportello nicht mehr für die vollmachtgebende Person handeln. Bei Bedarf kann eine neue Vollmacht erteilt werden.`,
          ],
          facts: [{ label: 'Abgelaufen am', value: formatDate(d.endedOn, 'de') }],
          action: { label: 'Vollmachten ansehen', url: d.url },
        },
};

/** Data of a `certificate-ready` message: a certificate issued once its stamp duty was paid. */
export interface CertificateReadyData {
  /** The day it stops being valid; absent for facts that cannot change (birth, death). */
  validUntil?: string;
  /** The download, on the public origin (the citizen signs in to get it). */
  url: string;
}

export const certificateReady: Template<CertificateReadyData> = {
  it: (d) => ({
    severity: 'info',
    subject: 'Il tuo certificato è pronto',
    heading: 'Il tuo certificato anagrafico è pronto',
    paragraphs: [
      "Abbiamo ricevuto il pagamento dell'imposta di bollo: il certificato è stato emesso e puoi scaricarlo.",
      'Il certificato riporta il pagamento del bollo e un codice QR con cui chiunque può verificarne l’autenticità.',
    ],
    facts: d.validUntil ? [{ label: 'Valido fino al', value: formatDate(d.validUntil, 'it') }] : [],
    action: { label: 'Scarica il certificato', url: d.url },
  }),
  en: (d) => ({
    severity: 'info',
    subject: 'Your certificate is ready',
    heading: 'Your registry certificate is ready',
    paragraphs: [
      'We have received the stamp duty payment: the certificate has been issued and you can download it.',
      'The certificate states that the stamp duty was paid and carries a QR code anyone can use to check it is genuine.',
    ],
    facts: d.validUntil ? [{ label: 'Valid until', value: formatDate(d.validUntil, 'en') }] : [],
    action: { label: 'Download the certificate', url: d.url },
  }),
  de: (d) => ({
    severity: 'info',
    subject: 'Ihre Bescheinigung ist fertig',
    heading: 'Ihre Meldebescheinigung ist fertig',
    paragraphs: [
      'Die Stempelsteuer ist bezahlt: Die Bescheinigung wurde ausgestellt und Sie können sie herunterladen.',
      'Die Bescheinigung weist die Zahlung der Stempelsteuer aus und trägt einen QR-Code, mit dem jeder ihre Echtheit prüfen kann.',
    ],
    facts: d.validUntil ? [{ label: 'Gültig bis', value: formatDate(d.validUntil, 'de') }] : [],
    action: { label: 'Bescheinigung herunterladen', url: d.url },
  }),
};
