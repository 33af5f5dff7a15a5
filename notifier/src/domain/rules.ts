import { addDays, civilDate } from '@sportello/platform';
import type { AnyEvent, PracticeStatus, ReportStatus } from '@sportello/schema';
import type { Language, PaymentNotice } from '../channels/channel.js';
import type { TemplateInput } from '../templates/render-template.js';
import type { NotifiedPracticeStatus, ReportStatusChangedData } from '../templates/kinds/practices.js';
import type { NotificationCategory } from './categories.js';
import {
  DOCUMENT_WORDS,
  HAZARD_WORDS,
  INTEGRATION_REQUEST_WORDS,
  officeWords,
  REPORT_CATEGORY_WORDS,
  WHOLE_COMUNE_WORDS,
} from './vocabulary.js';

const LANGUAGES: readonly Language[] = ['it', 'en', 'de'];

/** Who hears about an event. */
export type Audience =
  | { kind: 'person'; fiscalCode: string }
  /** A few people told the same thing (both sides of a delegation, an applicant and whom they act for). */
  | { kind: 'people'; fiscalCodes: readonly string[] }
  /** Residents of the zones; `zones: null` is the whole comune. */
  | { kind: 'residents'; zones: readonly string[] | null };

/** What one event tells whom: the outcome of the rules, before recipients are resolved. */
export interface NotificationPlan {
  category: NotificationCategory;
  /** Red alerts: every linked channel, whatever the preferences. */
  critical: boolean;
  audience: Audience;
  /** Also post to the comune's public Telegram channel. */
  publicPost: boolean;
  /** Higher goes first in the dispatch queue. */
  priority: number;
  messages: Record<Language, TemplateInput>;
  payment?: PaymentNotice;
  /** `YYYY-MM-DD` the recipient may set a reminder for (App IO `due_date`). */
  dueDate?: string;
}

/** What the rules need to know besides the event. */
export interface RuleSettings {
  /** Base URL of the citizens' portal; messages link to pages under it. */
  portalUrl: string;
  /**
   * The public origin, where files a message links to are served (a certificate's PDF).
   * @default the portal's origin
   */
  publicUrl?: string;
  /** Display name of a comune by ISTAT code, e.g. "Comune di Esempio". */
  comuneName(comune: string): string;
}

/** Practice states a citizen hears about; internal ones (draft, processing, payments) stay quiet. */
const NOTIFIED_PRACTICE_STATUSES: ReadonlySet<PracticeStatus> = new Set<NotifiedPracticeStatus>([
  'registered',
  'taken-in-charge',
  'submitted-after-integration',
  'accepted',
  'rejected',
  'withdrawn',
]);

/** Report states as the citizen reads them; `taken-in-charge` already means "in progress" to them. */
const REPORT_STATUS_SHOWN: Record<ReportStatus, ReportStatusChangedData['status']> = {
  received: 'received',
  'taken-in-charge': 'in-progress',
  'in-progress': 'in-progress',
  resolved: 'resolved',
  rejected: 'rejected',
};

function inEveryLanguage(build: (language: Language) => TemplateInput): Record<Language, TemplateInput> {
  return Object.fromEntries(LANGUAGES.map((language) => [language, build(language)])) as Record<
    Language,
    TemplateInput
  >;
}

function link(settings: RuleSettings, path: string): string {
  return `${settings.portalUrl.replace(/\/$/, '')}/${path}`;
}

/** Days a citizen has to answer a notice of obstacles to a change of residence (L. 241/1990, art. 10-bis). */
export const OBSTACLES_REPLY_DAYS = 10;

/** The calendar day `YYYY-MM-DD` in the comune's time zone `days` calendar days after an instant's day. */
function dayAfter(instant: string, days: number): string {
  return addDays(civilDate(new Date(instant)), days);
}

/**
 * How a practice is named to the citizen: its type's title and protocol number, when the event
 * carries them (never the type's code or the practice's id).
 */
function practiceNaming(data: {
  typeTitle?: string | undefined;
  protocolNumber?: string | null | undefined;
}) {
  return {
    ...(data.typeTitle ? { practiceType: data.typeTitle } : {}),
    ...(data.protocolNumber ? { protocolNumber: data.protocolNumber } : {}),
  };
}

/** The appointment data the messages are worded from. */
type AppointmentData = Pick<
  Extract<AnyEvent, { type: 'appointment.reminder' }>['data'],
  'appointmentId' | 'office' | 'startsAt'
>;

/** What every appointment message says: the office in words, where, when, the link. */
function appointmentWords(data: AppointmentData, language: Language, comune: string, settings: RuleSettings) {
  const office = officeWords(data.office, language);
  return {
    service: office,
    office,
    address: settings.comuneName(comune),
    startsAt: data.startsAt,
    url: link(settings, `appuntamenti/${encodeURIComponent(data.appointmentId)}`),
  };
}

/** A message to one person about their own affairs (practices, payments, appointments, residence, documents, reports). */
function personal(fiscalCode: string, category: NotificationCategory, priority: number) {
  return {
    category,
    critical: false,
    audience: { kind: 'person' as const, fiscalCode },
    publicPost: false,
    priority,
  };
}

/** The page of a practice on the citizens' portal. */
function practicePage(settings: RuleSettings, practiceId: string): string {
  return link(settings, `pratiche/${encodeURIComponent(practiceId)}`);
}

/** What every payment message ends with: the comune that is owed, and the payment's page. */
function paymentPage(settings: RuleSettings, comune: string, positionId: string) {
  return {
    creditorName: settings.comuneName(comune),
    url: link(settings, `pagamenti/${encodeURIComponent(positionId)}`),
  };
}

/** The payment position data a notice or a reminder is worded from. */
type PaymentPositionData = Pick<
  Extract<AnyEvent, { type: 'payment.position-created' }>['data'],
  'positionId' | 'description' | 'amountCents' | 'dueDate' | 'noticeNumber' | 'creditorFiscalCode'
>;

/** What a payment notice and its reminders say: what is owed, how much, by when, the notice. */
function paymentNoticeWords(data: PaymentPositionData, comune: string, settings: RuleSettings) {
  return {
    description: data.description,
    amountCents: data.amountCents,
    dueDate: data.dueDate,
    noticeNumber: data.noticeNumber,
    ...paymentPage(settings, comune, data.positionId),
  };
}

/** The pagoPA notice a channel attaches to a payment message (App IO's payment data). */
function paymentNotice(data: PaymentPositionData): PaymentNotice {
  return {
    amountCents: data.amountCents,
    noticeNumber: data.noticeNumber,
    payeeFiscalCode: data.creditorFiscalCode,
  };
}

/** The civil-protection alert data the messages are worded from. */
type AlertData = Extract<AnyEvent, { type: 'alert.issued' }>['data'];

/**
 * Where and how an alert message goes: to the residents of the zones (deduplicated), critical ones
 * (red, or any change of an alert that was red) on the critical lane whatever the preferences, and
 * always one post on the comune's public channel (silent below red: the renderer rings only for red).
 */
function alertPlan(critical: boolean, zones: readonly string[]) {
  return {
    category: critical ? ('critical-alerts' as const) : ('civil-protection-alerts' as const),
    critical,
    audience: { kind: 'residents' as const, zones: [...new Set(zones)] },
    publicPost: true,
    priority: critical ? 100 : 50,
  };
}

/** What every alert message says, in one language: risk, zones by name, validity, the staff's texts, the link. */
function alertWords(data: AlertData, language: Language, settings: RuleSettings) {
  const names = data.zoneNames ?? data.zones;
  const instructions = (data.instructions ?? '')
    .split(/\n\s*\n|\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return {
    risk: HAZARD_WORDS[language][data.hazard],
    zone: data.wholeComune ? WHOLE_COMUNE_WORDS[language] : names.join(', '),
    validFrom: data.validFrom,
    validUntil: data.validTo,
    ...(data.bulletinRef ? { bulletin: data.bulletinRef } : {}),
    ...(data.headline ? { headline: data.headline } : {}),
    ...(instructions.length > 0 ? { instructions } : {}),
    url: link(settings, `protezione-civile/allerte/${encodeURIComponent(data.alertId)}`),
  };
}

/**
 * Decides what an event tells whom, or `null` when it concerns no citizen (most of the catalogue,
 * green alerts, internal practice states, anonymous reports).
 */
export function planFor(event: AnyEvent, settings: RuleSettings): NotificationPlan | null {
  switch (event.type) {
    case 'alert.issued':
    case 'alert.updated': {
      const data = event.data;
      const previous = event.type === 'alert.updated' ? data.previous : undefined;
      const colour = data.colour;
      // A green alert tells nobody anything, unless it lowers one that did.
      if (colour === 'green' && (previous === undefined || previous.colour === 'green')) return null;
      // Every change of an alert that was red reaches everyone the red alert reached.
      const critical = data.critical || colour === 'red' || previous?.colour === 'red';
      return {
        ...alertPlan(critical, [...data.zones, ...(previous?.zones ?? [])]),
        messages: inEveryLanguage((language) => {
          const words = alertWords(data, language, settings);
          if (event.type === 'alert.issued' && colour !== 'green') {
            return { kind: 'alert-issued', data: { ...words, colour } };
          }
          return {
            kind: 'alert-updated',
            data: {
              ...words,
              colour,
              ...(previous
                ? {
                    replaces: {
                      colour: previous.colour,
                      validFrom: previous.validFrom,
                      validUntil: previous.validTo,
                    },
                  }
                : {}),
            },
          };
        }),
      };
    }
    case 'alert.cancelled':
    case 'alert.expired': {
      const data = event.data;
      const colour = data.colour;
      if (colour === 'green') return null;
      const critical = data.critical || colour === 'red';
      return {
        ...alertPlan(critical, data.zones),
        messages: inEveryLanguage((language) => {
          const { zone, risk, validFrom, validUntil, url, headline } = alertWords(data, language, settings);
          return {
            kind: 'alert-ended',
            data: {
              reason: event.type === 'alert.cancelled' ? 'cancelled' : 'expired',
              colour,
              risk,
              zone,
              validFrom,
              validUntil,
              url,
              ...(headline ? { headline } : {}),
              ...(data.cancelReason ? { cancelReason: data.cancelReason } : {}),
            },
          };
        }),
      };
    }
    case 'ordinance.published': {
      const data = event.data;
      const whole = data.wholeComune || (data.zones.length === 0 && (data.streets ?? []).length === 0);
      const zoneNames = data.zoneNames ?? data.zones;
      return {
        category: 'ordinances',
        critical: false,
        // An ordinance on streets only reaches the zones that hold them: anagrafe targets by zone.
        audience: { kind: 'residents', zones: whole || data.zones.length === 0 ? null : data.zones },
        publicPost: false,
        priority: 40,
        messages: inEveryLanguage((language) => ({
          kind: 'ordinance-published',
          data: {
            number: `${data.number}/${data.year}`,
            subject: data.subject,
            adoptedOn: data.adoptedOn ?? event.occurredAt,
            effectiveFrom: data.effectiveFrom ?? event.occurredAt,
            ...(data.effectiveTo ? { effectiveUntil: data.effectiveTo } : {}),
            measures: [...(data.measures ?? [])],
            area: whole ? WHOLE_COMUNE_WORDS[language] : [...zoneNames, ...(data.streets ?? [])].join(', '),
            ...(data.documentUrls && data.documentUrls.length > 0
              ? { documents: [...data.documentUrls] }
              : {}),
            url: link(settings, `ordinanze/${encodeURIComponent(data.ordinanceId)}`),
          },
        })),
      };
    }
    case 'practice.status-changed': {
      const data = event.data;
      if (!NOTIFIED_PRACTICE_STATUSES.has(data.to)) return null;
      const forSomeoneElse = data.onBehalfOfFiscalCode ?? null;
      return {
        category: 'practice-updates',
        critical: false,
        // The person the applicant acts for hears of their practice too.
        audience:
          forSomeoneElse !== null && forSomeoneElse !== data.applicantFiscalCode
            ? { kind: 'people', fiscalCodes: [data.applicantFiscalCode, forSomeoneElse] }
            : { kind: 'person', fiscalCode: data.applicantFiscalCode },
        publicPost: false,
        priority: 20,
        messages: inEveryLanguage(() => ({
          kind: 'practice-status-changed',
          data: {
            ...practiceNaming(data),
            status: data.to as NotifiedPracticeStatus,
            ...(data.note ? { note: data.note } : {}),
            url: practicePage(settings, data.practiceId),
          },
        })),
      };
    }
    case 'practice.integration-requested': {
      const data = event.data;
      return {
        ...personal(data.applicantFiscalCode, 'practice-updates', 30),
        messages: inEveryLanguage((language) => ({
          kind: 'integration-requested',
          data: {
            ...practiceNaming(data),
            request: INTEGRATION_REQUEST_WORDS[language],
            ...(data.message ? { message: data.message } : {}),
            ...(data.respondBy ? { dueBy: data.respondBy } : {}),
            url: practicePage(settings, data.practiceId),
          },
        })),
        ...(data.respondBy ? { dueDate: data.respondBy } : {}),
      };
    }
    case 'practice.message-posted': {
      const data = event.data;
      // The citizen's own messages are no news to them.
      if (data.author !== 'staff') return null;
      return {
        ...personal(data.applicantFiscalCode, 'practice-updates', 30),
        messages: inEveryLanguage(() => ({
          kind: 'practice-message',
          data: {
            ...practiceNaming(data),
            ...(data.text ? { text: data.text } : {}),
            url: practicePage(settings, data.practiceId),
          },
        })),
      };
    }
    case 'payment.position-created': {
      const data = event.data;
      return {
        ...personal(data.payerFiscalCode, 'payment-reminders', 20),
        messages: inEveryLanguage(() => ({
          kind: 'payment-notice',
          data: paymentNoticeWords(data, event.comune, settings),
        })),
        payment: paymentNotice(data),
        dueDate: data.dueDate,
      };
    }
    case 'payment.received': {
      const data = event.data;
      return {
        ...personal(data.payerFiscalCode, 'payment-reminders', 20),
        messages: inEveryLanguage(() => ({
          kind: 'payment-received',
          data: {
            amountCents: data.amountCents,
            noticeNumber: data.noticeNumber,
            paidAt: data.paidAt,
            ...paymentPage(settings, event.comune, data.positionId),
          },
        })),
      };
    }
    case 'payment.position-cancelled': {
      const data = event.data;
      return {
        ...personal(data.payerFiscalCode, 'payment-reminders', 30),
        messages: inEveryLanguage(() => ({
          kind: 'payment-cancelled',
          data: {
            noticeNumber: data.noticeNumber,
            ...(data.reason ? { reason: data.reason } : {}),
            ...paymentPage(settings, event.comune, data.positionId),
          },
        })),
      };
    }
    case 'payment.due-soon':
    case 'payment.overdue': {
      const data = event.data;
      return {
        ...personal(data.payerFiscalCode, 'payment-reminders', 30),
        messages: inEveryLanguage(() => ({
          kind: event.type === 'payment.due-soon' ? 'payment-due-soon' : 'payment-overdue',
          data: paymentNoticeWords(data, event.comune, settings),
        })),
        payment: paymentNotice(data),
        dueDate: data.dueDate,
      };
    }
    case 'document.expiring': {
      const data = event.data;
      return {
        ...personal(data.holderFiscalCode, 'document-expiry', 10),
        messages: inEveryLanguage((language) => ({
          kind: 'document-expiring',
          data: {
            document: DOCUMENT_WORDS[language][data.kind],
            expiresOn: data.expiresOn,
            url: link(settings, 'documenti'),
          },
        })),
        dueDate: data.expiresOn,
      };
    }
    case 'document.expired': {
      const data = event.data;
      return {
        ...personal(data.holderFiscalCode, 'document-expiry', 10),
        messages: inEveryLanguage((language) => ({
          kind: 'document-expired',
          data: {
            document: DOCUMENT_WORDS[language][data.kind],
            kind: data.kind,
            expiredOn: data.expiredOn,
            url: link(settings, 'documenti'),
          },
        })),
      };
    }
    case 'residence-change.status-changed': {
      const data = event.data;
      const obstacles = data.to === 'obstacles-notified';
      const replyBy = obstacles ? dayAfter(event.occurredAt, OBSTACLES_REPLY_DAYS) : undefined;
      // Every adult moving under the declaration hears of each step, not only the one who made it.
      const movers = [...new Set([data.applicantFiscalCode, ...(data.adultMoverFiscalCodes ?? [])])];
      return {
        ...personal(data.applicantFiscalCode, 'practice-updates', obstacles ? 30 : 20),
        ...(movers.length > 1 ? { audience: { kind: 'people' as const, fiscalCodes: movers } } : {}),
        messages: inEveryLanguage(() => ({
          kind: 'residence-change-status',
          data: {
            status: data.to,
            ...(data.note ? { note: data.note } : {}),
            ...(replyBy ? { replyBy } : {}),
            url: link(settings, `residenza/${encodeURIComponent(data.requestId)}`),
          },
        })),
        ...(replyBy ? { dueDate: replyBy } : {}),
      };
    }
    case 'certificate.issued': {
      const data = event.data;
      // An exempt certificate is issued while the citizen waits for it; one that waited for its
      // stamp duty is issued when the payment arrives, and the citizen must hear it is ready.
      if (data.stampDuty !== 'paid') return null;
      const origin = (settings.publicUrl ?? new URL(settings.portalUrl).origin).replace(/\/$/, '');
      return {
        ...personal(data.requesterFiscalCode, 'practice-updates', 20),
        messages: inEveryLanguage(() => ({
          kind: 'certificate-ready',
          data: {
            ...(data.validUntil ? { validUntil: data.validUntil } : {}),
            url: `${origin}/certificates/${encodeURIComponent(data.certificateId)}.pdf`,
          },
        })),
      };
    }
    case 'appointment.reminder': {
      const data = event.data;
      return {
        ...personal(data.citizenFiscalCode, 'practice-updates', 30),
        messages: inEveryLanguage((language) => ({
          kind: 'appointment-reminder',
          data: appointmentWords(data, language, event.comune, settings),
        })),
      };
    }
    case 'appointment.changed': {
      const data = event.data;
      // A citizen who moved their own appointment knows; the office moving it must tell them.
      if (event.actor?.kind === 'citizen') return null;
      return {
        ...personal(data.citizenFiscalCode, 'practice-updates', 30),
        messages: inEveryLanguage((language) => ({
          kind: 'appointment-changed',
          data: {
            ...appointmentWords(data, language, event.comune, settings),
            previousStartsAt: data.previousStartsAt,
          },
        })),
      };
    }
    case 'appointment.cancelled': {
      const data = event.data;
      if (data.cancelledBy !== 'staff') return null;
      return {
        ...personal(data.citizenFiscalCode, 'practice-updates', 30),
        messages: inEveryLanguage((language) => ({
          kind: 'appointment-cancelled',
          data: {
            ...appointmentWords(data, language, event.comune, settings),
            ...(data.reason ? { reason: data.reason } : {}),
            // Cancelled, the appointment is gone: the link leads to booking another.
            url: link(settings, 'appuntamenti'),
          },
        })),
      };
    }
    case 'delegation.ended': {
      const data = event.data;
      return {
        category: 'practice-updates',
        critical: false,
        // Both sides: the person represented and the one who acted for them.
        audience: { kind: 'people', fiscalCodes: [data.delegator, data.delegate] },
        publicPost: false,
        priority: 20,
        messages: inEveryLanguage(() => ({
          kind: 'delegation-ended',
          data: {
            reason: data.reason,
            kind: data.kind,
            endedOn: data.majorityOn ?? data.endedAt,
            url: link(settings, 'deleghe'),
          },
        })),
      };
    }
    case 'report.status-changed': {
      const data = event.data;
      if (data.reporterFiscalCode === null) return null;
      const shown = REPORT_STATUS_SHOWN[data.to];
      // Moving from "taken in charge" to "in progress" is no news to the reporter.
      if (data.from !== null && REPORT_STATUS_SHOWN[data.from] === shown) return null;
      return {
        ...personal(data.reporterFiscalCode, 'practice-updates', 10),
        messages: inEveryLanguage((language) => ({
          kind: 'report-status-changed',
          data: {
            category: REPORT_CATEGORY_WORDS[language][data.category] ?? data.category,
            status: shown,
            ...(data.note ? { note: data.note } : {}),
            url: link(settings, `segnalazioni/${encodeURIComponent(data.reportId)}`),
          },
        })),
      };
    }
    default:
      return null;
  }
}
