import { DeliveryAttemptEntity } from './delivery-attempt.entity.js';
import { DeliveryEntity } from './delivery.entity.js';
import { NotificationEntity } from './notification.entity.js';
import { TelegramChatEntity } from './telegram-chat.entity.js';

/** Every entity of the notifier database, for `createDatabase({ entities })` and migrations. */
export const NOTIFIER_ENTITIES = [
  NotificationEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  TelegramChatEntity,
];
