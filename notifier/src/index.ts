export {
  type Channel,
  type ChannelName,
  type Language,
  type OutgoingMessage,
  type PaymentNotice,
  type Recipient,
  type SendFailure,
  type SendResult,
  delivered,
  failed,
  redactPersonalData,
} from './channels/channel.js';
export {
  createEmailChannel,
  messageIdFor,
  type EmailChannel,
  type EmailChannelConfig,
  type EmailChannelDeps,
} from './channels/email/email-channel.js';
export { classifySmtpError } from './channels/email/classify-smtp-error.js';
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateSpec,
} from './pacing/rate-limiter.js';
export { backoffDelay, type BackoffPolicy } from './pacing/backoff.js';
export {
  createTelegramChannel,
  createTelegramLimiter,
  type ChannelPost,
  type TelegramChannel,
  type TelegramChannelConfig,
  type TelegramChannelDeps,
} from './channels/telegram/telegram-channel.js';
export {
  createTelegramBot,
  type TelegramBot,
  type TelegramBotConfig,
  type TelegramBotDeps,
} from './channels/telegram/telegram-bot.js';
export {
  escapeMarkdownV2,
  escapeMarkdownV2Url,
  truncateMarkdownV2,
  TELEGRAM_TEXT_LIMIT,
} from './channels/telegram/markdown-v2.js';
export { classifyTelegramError } from './channels/telegram/classify-telegram-error.js';
export {
  createIoChannel,
  type IoChannel,
  type IoChannelConfig,
  type IoChannelDeps,
  type IoServiceCredentials,
} from './channels/io/io-channel.js';
export {
  classifyIoFailure,
  type IoCallOutcome,
  type ProblemJson,
} from './channels/io/classify-io-failure.js';
export { prepareIoContent, IO_LIMITS, type IoContent } from './channels/io/io-content.js';
export {
  composeMessage,
  renderMessage,
  type MessageKind,
  type TemplateInput,
} from './templates/render-template.js';
export { renderDocument, type RenderedMessage } from './templates/render.js';
export type { MessageDocument, TemplateContext, Template } from './templates/document.js';
export type { AlertIssuedData, OrdinancePublishedData } from './templates/kinds/civil-protection.js';
export type {
  AppointmentReminderData,
  IntegrationRequestedData,
  NotifiedPracticeStatus,
  PracticeStatusChangedData,
  ReportStatusChangedData,
} from './templates/kinds/practices.js';
export type { DocumentExpiringData, PaymentData } from './templates/kinds/tributi.js';
export { formatDate, formatDateTime, formatEuro, formatNoticeNumber } from './templates/formatting.js';
