import { DURATION_BUCKETS, type Counter, type Histogram, type ServiceMetrics } from '@sportello/platform';
import { LANES, type Lane } from '@sportello/schema';
import type { ChannelName } from './channels/channel.js';
import type { TelegramBot } from './channels/telegram/telegram-bot.js';
import type { AttemptOutcomeReport } from './delivery/dispatcher.js';
import type { DeliveryStore } from './delivery/delivery-store.js';
import { DELIVERY_STATUSES } from './entities/delivery.entity.js';
import type { Database } from '@sportello/platform';
import { NotificationEntity } from './entities/notification.entity.js';

/** The notifier's own metrics, beside the platform's (requests, consumer, bus). */
export interface NotifierMetrics {
  /** Provider calls by channel and outcome (`sent`, `retryable`, `permanent`, `uncertain`). */
  readonly attempts: Counter<'channel' | 'outcome'>;
  /** Time of one provider call, by channel. */
  readonly sendDuration: Histogram<'channel'>;
  /** Recipients planned, by lane. */
  readonly plannedRecipients: Counter<'lane'>;
  /** Deliveries recorded by planning, by lane. */
  readonly plannedDeliveries: Counter<'lane'>;
  /** Counts one provider call. */
  attempt(report: { channel: ChannelName; outcome: AttemptOutcomeReport; durationMs: number }): void;
  /** Counts one planned page. */
  planned(report: { lane: Lane; recipients: number; deliveries: number }): void;
}

/**
 * Registers the notifier's metrics on its service metrics: deliveries by state and channel (dead
 * letters and uncertain ones included) and the backlog by lane, read from the database at each
 * scrape; provider calls by outcome and their duration; planning progress; the bot's update loop.
 */
export function createNotifierMetrics(
  metrics: ServiceMetrics,
  parts: { store: DeliveryStore; database: Database; bot: () => TelegramBot | undefined },
): NotifierMetrics {
  const { store, database } = parts;
  metrics.gauge({
    name: 'sportello_notifier_deliveries',
    help: 'Deliveries by channel and state (dead: the dead-letter list; uncertain: for staff to check)',
    labelNames: ['channel', 'state'],
    async collect() {
      this.reset();
      const totals = await store.totals();
      const channels = new Set(totals.map((row) => row.channel));
      for (const channel of channels) {
        for (const state of DELIVERY_STATUSES) this.set({ channel, state }, 0);
      }
      for (const row of totals) this.set({ channel: row.channel, state: row.status }, row.count);
    },
  });
  const backlog = () => store.backlog();
  metrics.gauge({
    name: 'sportello_notifier_delivery_backlog',
    help: 'Deliveries waiting to be sent (planned, claimed or retrying), by channel and lane',
    labelNames: ['channel', 'lane'],
    async collect() {
      this.reset();
      for (const row of await backlog())
        this.set({ channel: row.channel, lane: LANES[row.lane]! }, row.count);
    },
  });
  metrics.gauge({
    name: 'sportello_notifier_delivery_backlog_oldest_seconds',
    help: 'Age of the oldest delivery waiting to be sent, by channel and lane',
    labelNames: ['channel', 'lane'],
    async collect() {
      this.reset();
      for (const row of await backlog()) {
        this.set({ channel: row.channel, lane: LANES[row.lane]! }, row.oldestMs / 1000);
      }
    },
  });
  metrics.gauge({
    name: 'sportello_notifier_notifications_planning',
    help: 'Events whose deliveries are still being planned (or whose planning was interrupted)',
    async collect() {
      this.set(await database.forkUnscoped().count(NotificationEntity, { plannedAt: null }));
    },
  });
  metrics.gauge({
    name: 'sportello_notifier_telegram_bot_up',
    help: "1 while the bot's update loop (webhook or polling) works, 0 while it is failing or stopped",
    labelNames: ['mode'],
    collect() {
      this.reset();
      const bot = parts.bot();
      if (bot) this.set({ mode: bot.status.mode }, bot.status.healthy ? 1 : 0);
    },
  });
  metrics.counter({
    name: 'sportello_notifier_telegram_bot_restarts_total',
    help: "Restarts of the bot's update loop after a failure",
    collect() {
      this.reset();
      this.inc(parts.bot()?.status.restarts ?? 0);
    },
  });
  const attempts = metrics.counter({
    name: 'sportello_notifier_attempts_total',
    help: 'Provider calls by channel and outcome (sent, retryable, permanent, uncertain)',
    labelNames: ['channel', 'outcome'],
  });
  const sendDuration = metrics.histogram({
    name: 'sportello_notifier_send_duration_seconds',
    help: 'Time of one provider call, by channel',
    labelNames: ['channel'],
    buckets: DURATION_BUCKETS,
  });
  const plannedRecipients = metrics.counter({
    name: 'sportello_notifier_planned_recipients_total',
    help: 'Recipients whose deliveries were planned, by lane',
    labelNames: ['lane'],
  });
  const plannedDeliveries = metrics.counter({
    name: 'sportello_notifier_planned_deliveries_total',
    help: 'Deliveries recorded by planning, by lane',
    labelNames: ['lane'],
  });
  return {
    attempts,
    sendDuration,
    plannedRecipients,
    plannedDeliveries,
    attempt({ channel, outcome, durationMs }) {
      attempts.inc({ channel, outcome });
      sendDuration.observe({ channel }, durationMs / 1000);
    },
    planned({ lane, recipients, deliveries }) {
      plannedRecipients.inc({ lane }, recipients);
      plannedDeliveries.inc({ lane }, deliveries);
    },
  };
}
