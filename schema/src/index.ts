// Event envelope and catalogue.
export { actorSchema, envelopeSchema, type Actor, type EventEnvelope } from './events/envelope.js';
export {
  PRODUCERS,
  CONSUMERS,
  defineEvent,
  type Producer,
  type ConsumerService,
  type EventDefinition,
} from './events/define-event.js';
export {
  EVENTS,
  isEventType,
  eventDefinition,
  type EventType,
  type EventData,
  type EventDataInput,
  type EventOf,
  type AnyEvent,
} from './events/catalogue.js';
export {
  createEvent,
  parseEvent,
  serializeEvent,
  busSubject,
  busSubjectPattern,
  isEventOf,
  EVENT_TYPES,
  EventValidationError,
  type CreateEventInput,
} from './events/codec.js';
export { LANES, EVENT_LANES, laneOf, laneRank, typesOfLane, type Lane } from './events/lanes.js';
export {
  DOCUMENT_KINDS,
  RESIDENCE_CHANGE_STATUSES,
  type DocumentKind,
  type ResidenceChangeStatus,
} from './events/anagrafe.events.js';
export { REVOCATION_REASONS, type RevocationReason } from './events/identity.events.js';
export { PAYMENT_KINDS, type PaymentKind } from './events/tributi.events.js';
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
export { NOTIFICATION_CHANNELS, type NotificationChannel } from './events/notifier.events.js';

// Shared scalars.
export { ScalarValidationError, type ScalarName } from './scalars/validation-error.js';
export {
  fiscalCodeSchema,
  parseFiscalCode,
  isValidFiscalCode,
  decodeFiscalCode,
  computeFiscalCode,
  fiscalCodeCheckLetter,
  type FiscalCode,
  type DecodedFiscalCode,
  type FiscalCodePerson,
} from './scalars/fiscal-code.js';
export {
  organizationFiscalCodeSchema,
  parseOrganizationFiscalCode,
  isValidOrganizationFiscalCode,
  type OrganizationFiscalCode,
} from './scalars/organization-fiscal-code.js';
export {
  noticeNumberSchema,
  parseNoticeNumber,
  isValidNoticeNumber,
  makeNoticeNumber,
  noticeCheckDigits,
  iuvOf,
  formatNoticeNumber,
  pagoPaQrPayload,
  type NoticeNumber,
} from './scalars/notice-number.js';
export { istatCodeSchema, parseIstatCode, isValidIstatCode, type IstatCode } from './scalars/istat-code.js';
export {
  GraphQLFiscalCode,
  GraphQLOrganizationFiscalCode,
  GraphQLNoticeNumber,
  GraphQLIstatCode,
  ScalarInputError,
} from './scalars/graphql-scalars.js';
