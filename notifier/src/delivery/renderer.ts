import type { Database } from '@sportello/platform';
import type { OutgoingMessage, Recipient } from '../channels/channel.js';
import { NotificationEntity, type Notification } from '../entities/notification.entity.js';
import { renderMessage } from '../templates/render-template.js';
import type { DeliveryRow } from './delivery-store.js';

/** Settings of the renderer. */
export interface RendererOptions {
  database: Database;
  comuneName(comune: string): string;
  /** Where citizens manage their preferences (the footer of every message). */
  preferencesUrl?: string;
  /**
   * The one-click unsubscribe link of a delivery (email `List-Unsubscribe`, RFC 8058); none for
   * critical alerts, which cannot be turned off, nor for the public channel.
   */
  unsubscribeLink?: (deliveryId: string) => string;
  /** Notifications kept in memory. @default 500 */
  cacheSize?: number;
}

function recipientOf(row: DeliveryRow): Recipient {
  switch (row.channel) {
    case 'email':
      return { channel: 'email', address: row.address };
    case 'telegram':
      return { channel: 'telegram', chatId: row.address };
    case 'io':
      return { channel: 'io', fiscalCode: row.address };
  }
}

/** Renders deliveries; told of notifications as they are recorded, it need not read them back. */
export interface Renderer {
  (row: DeliveryRow): Promise<OutgoingMessage>;
  /** Keeps a notification just recorded (by the planner of this process). */
  remember(notification: Notification): void;
}

/**
 * Renders a delivery's message from its event's notification, in the recipient's language. A fan-out
 * renders the same few (event, language) pairs thousands of times: both the notification and the
 * rendered text are cached, and the notifications this process's planner records are handed over
 * as they are written.
 */
export function createRenderer(options: RendererOptions): Renderer {
  // Promises, so that a pass rendering many deliveries of a new event at once reads it once.
  const notifications = new Map<string, Promise<Notification>>();
  const rendered = new Map<string, ReturnType<typeof renderMessage>>();
  const cacheSize = options.cacheSize ?? 500;

  function notificationOf(row: DeliveryRow): Promise<Notification> {
    const cached = notifications.get(row.eventId);
    if (cached) return cached;
    const found = options.database
      .fork({ comune: row.comune })
      .findOneOrFail(NotificationEntity, { eventId: row.eventId });
    if (notifications.size >= cacheSize) notifications.delete(notifications.keys().next().value!);
    notifications.set(row.eventId, found);
    // A failed read is not kept: the next delivery reads again.
    found.catch(() => {
      if (notifications.get(row.eventId) === found) notifications.delete(row.eventId);
    });
    return found;
  }

  const render = async (row: DeliveryRow): Promise<OutgoingMessage> => {
    const notification = await notificationOf(row);
    const key = `${row.eventId}|${row.language}`;
    let message = rendered.get(key);
    if (!message) {
      const input = notification.messages[row.language] ?? notification.messages.it;
      message = renderMessage(input, {
        language: row.language,
        comuneName: options.comuneName(row.comune),
        ...(options.preferencesUrl ? { preferencesUrl: options.preferencesUrl } : {}),
      });
      if (rendered.size >= cacheSize * 3) rendered.delete(rendered.keys().next().value!);
      rendered.set(key, message);
    }
    return {
      deliveryId: row.id,
      comune: row.comune,
      recipient: recipientOf(row),
      language: row.language,
      subject: message.subject,
      text: message.text,
      html: message.html,
      markdownV2: message.markdownV2,
      markdown: message.markdown,
      ...(notification.payment ? { payment: notification.payment } : {}),
      ...(notification.dueDate ? { dueDate: new Date(`${notification.dueDate}T00:00:00Z`) } : {}),
      ...(options.unsubscribeLink &&
      row.channel === 'email' &&
      row.fiscalCode !== null &&
      !notification.critical
        ? { listUnsubscribeUrl: options.unsubscribeLink(row.id) }
        : {}),
      // Only a red alert rings; reminders arrive quietly.
      silent: message.severity !== 'critical',
    };
  };
  return Object.assign(render, {
    remember(notification: Notification) {
      if (notifications.has(notification.eventId)) return;
      if (notifications.size >= cacheSize) notifications.delete(notifications.keys().next().value!);
      notifications.set(notification.eventId, Promise.resolve(notification));
    },
  });
}
