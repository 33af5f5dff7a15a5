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
