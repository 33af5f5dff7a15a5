import type { ChannelName } from '../channels/channel.js';
import type { ChannelCounts } from '../delivery/delivery-store.js';
import type { Delivery } from '../entities/delivery.entity.js';
import type { Notification } from '../entities/notification.entity.js';
import { CHANNELS } from '../domain/categories.js';
import { ChannelDeliveryStatsType, DeadLetterType, DeliveryStatsType } from './delivery-stats.type.js';
import { NotificationDeliveryType } from './notification.type.js';

/** A delivery as its recipient sees it. */
export function toDeliveryType(row: Delivery): NotificationDeliveryType {
  return Object.assign(new NotificationDeliveryType(), {
    id: row.id,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    sentAt: row.sentAt === null || row.sentAt === undefined ? null : new Date(row.sentAt),
    updatedAt: new Date(row.updatedAt),
  });
}

/** Per-channel counts of a notification. */
export function toStatsType(
  notification: Pick<Notification, 'eventId' | 'eventType' | 'createdAt'>,
  counts: Map<ChannelName, ChannelCounts> | undefined,
): DeliveryStatsType {
  const channels = CHANNELS.filter((channel) => counts?.has(channel)).map((channel) =>
    Object.assign(new ChannelDeliveryStatsType(), { channel, ...counts!.get(channel)! }),
  );
  return Object.assign(new DeliveryStatsType(), {
    eventId: notification.eventId,
    eventType: notification.eventType,
    createdAt: new Date(notification.createdAt),
    channels,
  });
}

/** A dead or uncertain delivery for staff: no recipient data. */
export function toDeadLetterType(row: Delivery): DeadLetterType {
  return Object.assign(new DeadLetterType(), {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError ?? null,
    updatedAt: new Date(row.updatedAt),
  });
}
