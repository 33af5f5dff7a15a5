export { type ChannelName, type Language, type OutgoingMessage } from './channels/channel.js';
export { createEmailChannel } from './channels/email/email-channel.js';
export { createTelegramChannel, createTelegramPacer } from './channels/telegram/telegram-channel.js';

// The notifier service.
export { createNotifier, type NotifierHandle } from './notifier.js';
export { loadNotifierConfig, NOTIFIER_ENV_VARIABLES } from './config.js';
export { seedNotifier } from './seed/index.js';
export { NotificationEntity } from './entities/notification.entity.js';
export {
  NOTIFIER_DELIVERED_CHANNEL,
  NOTIFIER_TRACE_CHANNEL,
  type NotifierTrace,
} from './delivery/dispatcher.js';
export { DeliveryStore, lanePriority, type NewDelivery } from './delivery/delivery-store.js';
export { type NotificationPlan } from './domain/rules.js';
export { CHANNELS } from './domain/categories.js';
