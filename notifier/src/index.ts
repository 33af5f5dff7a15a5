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
export { createWirePacer, type WirePacer, type WirePacerOptions } from './pacing/wire-pacer.js';
export {
  createTelegramChannel,
  createTelegramLimiter,
  createTelegramPacer,
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
  type TelegramBotStatus,
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

// The notifier service.
export { createNotifier, TELEGRAM_WEBHOOK_PATH, type NotifierDeps, type NotifierHandle } from './notifier.js';
export {
  loadNotifierConfig,
  NOTIFIER_ENV_VARIABLES,
  type NotifierConfig,
  type SmtpSettings,
  type TelegramSettings,
  type IoSettings,
} from './config.js';
export { seedNotifier, type NotifierSeed } from './seed.js';
export { NOTIFIER_ENTITIES } from './entities/index.js';
export { NotificationEntity } from './entities/notification.entity.js';
export { DELIVERY_STATUSES, PUBLIC_RECIPIENT, type DeliveryStatus } from './entities/delivery.entity.js';
export { buildNotifierSchema } from './graphql/schema.js';
export {
  Planner,
  chosenChannels,
  CONTACT_BATCH,
  type PlanOutcome,
  type PlannerOptions,
} from './delivery/planner.js';
export {
  Dispatcher,
  NOTIFIER_DELIVERED_CHANNEL,
  type AttemptOutcomeReport,
  type DispatchChannel,
  type DispatcherOptions,
  type DispatchPass,
} from './delivery/dispatcher.js';
export {
  DeliveryStore,
  INSERT_CHUNK,
  LANE_PRIORITY,
  lanePriority,
  laneOfPriority,
  type ChannelCounts,
  type DeliveryRow,
  type NewDelivery,
} from './delivery/delivery-store.js';
export { Circuit, type CircuitOptions } from './delivery/circuit.js';
export { createStatsEmitter, type StatsEmitter, type StatsEmitterOptions } from './delivery/stats.js';
export { planFor, type Audience, type NotificationPlan, type RuleSettings } from './domain/rules.js';
export {
  NOTIFICATION_CATEGORIES,
  CHANNELS,
  type NotificationCategory,
  type ChannelPreferences,
} from './domain/categories.js';
export {
  linkedChannels,
  type AudienceDirectory,
  type ContactDirectory,
  type ContactPoint,
} from './directory/contact-directory.js';
export { createIdentityDirectory } from './directory/identity-directory.js';
export { createAnagrafeAudience } from './directory/anagrafe-audience.js';
export {
  createServiceTokens,
  ServiceTokenError,
  type ServiceCredentials,
  type ServiceTokens,
} from './directory/service-token.js';
export { SubgraphCallError } from './directory/graphql-client.js';
export { createChatLinks, type ChatLinks } from './telegram/chat-links.js';
export { createSandboxChannel, type SandboxChannel } from './channels/sandbox/sandbox-channel.js';
