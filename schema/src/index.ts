// Event envelope and catalogue.
export { type Actor, type EventEnvelope } from './events/envelope.js';
export {
  eventDefinition,
  type EventType,
  type EventDataInput,
  type EventOf,
  type AnyEvent,
} from './events/catalogue.js';
export {
  createEvent,
  parseEvent,
  serializeEvent,
  checkEvent,
  type CheckedEvent,
  busSubject,
  busSubjectPattern,
  isEventOf,
  EventValidationError,
} from './events/codec.js';
export { SERVICES, type ServiceName } from './events/define-event.js';
export { LANES, laneOf, laneRank, typesOfLane, type Lane } from './events/lanes.js';
export {
  DOCUMENT_KINDS,
  RESIDENCE_CHANGE_STATUSES,
  type DocumentKind,
  type ResidenceChangeStatus,
} from './events/anagrafe.events.js';
export { type RevocationReason } from './events/identity.events.js';
export { PAYMENT_KINDS, type PaymentKind } from './events/tributi.events.js';
export {
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CHANNEL_ENUM,
  NOTIFICATION_CHANNELS,
  type NotificationCategory,
  type NotificationChannel,
} from './events/notifier.events.js';
export {
  PRACTICE_STATUSES,
  REPORT_STATUSES,
  type PracticeStatus,
  type ReportStatus,
} from './events/practices.events.js';
export {
  HAZARDS,
  ALERT_COLOURS,
  ALERT_PHASES,
  type Hazard,
  type AlertColour,
  type AlertPhase,
} from './events/civil-protection.events.js';
export { HAZARD_NAMES, type WordsLanguage } from './vocabulary/hazard-names.js';

// Shared scalars.
export {
  parseFiscalCode,
  isValidFiscalCode,
  decodeFiscalCode,
  computeFiscalCode,
  type FiscalCode,
} from './scalars/fiscal-code.js';
export { isValidOrganizationFiscalCode } from './scalars/organization-fiscal-code.js';
export {
  parseNoticeNumber,
  isValidNoticeNumber,
  makeNoticeNumber,
  noticeCheckDigits,
  formatNoticeNumber,
  pagoPaQrPayload,
  type NoticeNumber,
} from './scalars/notice-number.js';
export {
  GraphQLFiscalCode,
  GraphQLOrganizationFiscalCode,
  GraphQLNoticeNumber,
} from './scalars/graphql-scalars.js';
