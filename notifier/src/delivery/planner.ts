import {
  createForegroundGate,
  handleOnce,
  type Database,
  type EntityManager,
  type ForegroundGate,
  type Logger,
} from '@sportello/platform';
import { laneOf, laneRank, parseEvent, type AnyEvent, type Lane } from '@sportello/schema';
import type { ChannelName } from '../channels/channel.js';
import {
  linkedChannels,
  type AudienceDirectory,
  type ContactDirectory,
  type ContactPoint,
} from '../directory/contact-directory.js';
import { CHANNELS } from '../domain/categories.js';
import { planFor, type NotificationPlan, type RuleSettings } from '../domain/rules.js';
import { PUBLIC_RECIPIENT } from '../entities/delivery.entity.js';
import { NotificationEntity, type Notification } from '../entities/notification.entity.js';
import { TelegramChatEntity } from '../entities/telegram-chat.entity.js';
import { type DeliveryStore, lanePriority, type NewDelivery } from './delivery-store.js';
import { traceNotifier } from './dispatcher.js';

/** Identity answers at most this many citizens per batch read. */
export const CONTACT_BATCH = 500;

/** The first page of a critical event's audience: small, so its first messages leave at once. */
export const FIRST_CRITICAL_PAGE = 50;

/** What {@link Planner.planEvent} did with an event. */
export type PlanOutcome =
  | { status: 'ignored' }
  | { status: 'duplicate' }
  | { status: 'planned'; deliveries: number; recipients: number };

/** Collaborators of the planner. */
export interface PlannerOptions {
  database: Database;
  store: DeliveryStore;
  contacts: ContactDirectory;
  audience: AudienceDirectory;
  settings: RuleSettings;
  /** Channels that can send right now; deliveries are planned only on these. */
  channels: ReadonlySet<ChannelName>;
  /** The comune's public Telegram channel (`@name` or id), if it has one. */
  publicChannel(comune: string): string | undefined;
  /** Inbox name of the consumer. */
  consumer: string;
  logger: Logger;
  now?: () => number;
  /**
   * Called after each batch of deliveries is recorded, with their priority and channels (wakes the
   * dispatcher on those channels).
   */
  onPlanned?(eventId: string, priority: number, channels: ReadonlySet<ChannelName>): void;
  /** Told each notification recorded (the renderer keeps it: sending need not read it back). */
  onRecorded?(notification: Notification): void;
  /** Told each page planned (metrics). */
  onProgress?(report: { eventId: string; lane: Lane; recipients: number; deliveries: number }): void;
  /**
   * Critical and interactive planning in progress, which bulk pages wait for (at most its
   * `maxDeferMs` at a time): share it with the dispatcher, whose bulk sends wait for it too.
   * @default a gate of its own, 1 s
   */
  higherLanes?: ForegroundGate;
  /**
   * The process's foreground (the embedded hub's one loop): planning a critical event counts as
   * foreground work there too, so every service's background work steps back while an alert is
   * planned, not only the notifier's bulk planning.
   */
  foreground?: ForegroundGate;
}

/**
 * Turns an event into deliveries: decides what it tells whom (rules), resolves the recipients page by
 * page (residents from anagrafe, contact points and preferences from identity, Telegram chats from
 * the notifier's own table) and records one delivery per (event, recipient, channel) in bulk.
 *
 * Exactly once: each page is inserted with `on conflict do nothing` on that key, and the event is
 * marked processed in the inbox only when the last page is in. Progress is kept page by page (the
 * last fiscal code planned): a crash or a redelivery in between goes on after the last page
 * recorded, and whatever was half done is inserted only where missing; a redelivery afterwards
 * changes nothing.
 *
 * Lanes: deliveries carry their event's lane in their priority (an alert's before any practice
 * update's, those before any reminder's), and while critical or interactive events are being
 * planned, bulk events wait between pages (at most a second at a time; `higherLanes`).
 */
export class Planner {
  private readonly now: () => number;
  /** Critical and interactive planning in progress: bulk pages let it go first. */
  private readonly higherLanes: ForegroundGate;
  /** Events being planned in this process: a second request for one waits for the first. */
  private readonly inProgress = new Map<string, Promise<PlanOutcome>>();

  constructor(private readonly options: PlannerOptions) {
    this.now = options.now ?? Date.now;
    this.higherLanes = options.higherLanes ?? createForegroundGate({ maxDeferMs: 1_000 });
  }

  /**
   * Plans the deliveries of one parsed event. Asked again while it is being planned in this process
   * (the bus handing it out while it is resumed after a restart), answers with the same outcome.
   */
  planEvent(event: AnyEvent): Promise<PlanOutcome> {
    const running = this.inProgress.get(event.id);
    if (running) return running;
    const planning = this.plan(event).finally(() => this.inProgress.delete(event.id));
    this.inProgress.set(event.id, planning);
    return planning;
  }

  /**
   * Goes on planning the events whose planning a crash interrupted (recorded, not finished),
   * critical first, at once rather than when the bus hands them out again after its ack wait.
   * @returns how many were planned to the end
   */
  async resumeInterrupted(): Promise<number> {
    const rows = await this.options.database
      .forkUnscoped()
      .find(
        NotificationEntity,
        { plannedAt: null, event: { $ne: null } },
        { orderBy: { createdAt: 'asc' }, limit: 1_000 },
      );
    const events = rows
      .map((row) => parseEvent(row.event))
      .sort((a, b) => laneRank(laneOf(a.type)) - laneRank(laneOf(b.type)));
    let resumed = 0;
    for (const event of events) {
      this.options.logger.info({ eventId: event.id, eventType: event.type }, 'resuming interrupted planning');
      if ((await this.planEvent(event)).status === 'planned') resumed += 1;
    }
    return resumed;
  }

  private async plan(event: AnyEvent): Promise<PlanOutcome> {
    const { database, consumer } = this.options;
    traceNotifier({ stage: 'planning', eventId: event.id });
    // An event that tells nobody anything changes nothing, however often it comes: no statement.
    const plan = planFor(event, this.options.settings);
    if (plan === null) return { status: 'ignored' };
    const lane = laneOf(event.type);
    // A bulk event touches the database from its first statement: it starts after the alert too.
    if (lane === 'bulk') await this.higherLanes.whenIdle();
    const state = await this.stateOf(event);
    if (state.processed) return { status: 'duplicate' };
    const priority = lanePriority(lane, plan.priority);
    if (
      state.recorded === null &&
      (plan.audience.kind === 'person' || plan.audience.kind === 'people') &&
      !plan.publicPost
    ) {
      return this.planAtOnce(event, plan, priority, lane);
    }
    const progress = await this.recordNotification(event, plan, state.recorded);
    let deliveries = 0;
    let recipients = progress.recipients;
    const planning = lane === 'bulk' ? undefined : this.higherLanes.begin();
    const foreground = lane === 'critical' ? this.options.foreground?.begin() : undefined;
    try {
      for await (const page of this.recipientPages(event.comune, plan, progress.cursor, lane)) {
        traceNotifier({ stage: 'audience', eventId: event.id });
        if (lane === 'bulk') await this.higherLanes.whenIdle();
        recipients += page.length;
        const planned = await this.planPage(event, plan, page, priority);
        deliveries += planned;
        await this.saveProgress(event, page, recipients);
        this.options.onProgress?.({ eventId: event.id, lane, recipients: page.length, deliveries: planned });
      }
      if (plan.publicPost && this.options.channels.has('telegram')) {
        const channelId = this.options.publicChannel(event.comune);
        if (channelId !== undefined) {
          deliveries += await this.options.store.insert([
            {
              comune: event.comune,
              eventId: event.id,
              eventType: event.type,
              recipientKey: PUBLIC_RECIPIENT,
              fiscalCode: null,
              channel: 'telegram',
              address: channelId,
              language: 'it',
              priority,
            },
          ]);
          this.options.onPlanned?.(event.id, priority, new Set(['telegram']));
        }
      }
    } finally {
      planning?.();
      foreground?.();
    }
    const plannedAt = this.now();
    const first = await handleOnce(database.fork({ comune: event.comune }), consumer, event, async (em) => {
      await em.nativeUpdate(NotificationEntity, { eventId: event.id }, { plannedAt });
    });
    if (!first) return { status: 'duplicate' };
    this.options.logger.info(
      { eventId: event.id, eventType: event.type, deliveries, recipients },
      'deliveries planned',
    );
    return { status: 'planned', deliveries, recipients };
  }

  /**
   * Where the event stands, in one statement: processed (in the inbox), recorded with its planning
   * progress, or new.
   */
  private async stateOf(event: AnyEvent): Promise<{
    processed: boolean;
    recorded: { audienceCursor: string | null; plannedRecipients: number } | null;
  }> {
    const [row] = await this.options.database
      .forkUnscoped()
      .execute<Record<string, unknown>[]>(
        `select i.event_id as seen, n.event_id as recorded, n.audience_cursor, n.planned_recipients ` +
          `from (select 1 as one) as o ` +
          `left join inbox_entry i on i.consumer = ? and i.event_id = ? ` +
          `left join notification n on n.event_id = ? and n.comune = ?`,
        [this.options.consumer, event.id, event.id, event.comune],
        'all',
      );
    if (row === undefined) return { processed: false, recorded: null };
    return {
      processed: row.seen != null,
      recorded:
        row.recorded == null
          ? null
          : {
              audienceCursor: row.audience_cursor == null ? null : String(row.audience_cursor),
              plannedRecipients: Number(row.planned_recipients ?? 0),
            },
    };
  }

  /**
   * Plans an event for a person or two in one transaction, with the inbox entry: the notification
   * (already planned), its deliveries and the event marked processed are written together or not
   * at all, after the contact points are read.
   */
  private async planAtOnce(
    event: AnyEvent,
    plan: NotificationPlan,
    priority: number,
    lane: Lane,
  ): Promise<PlanOutcome> {
    const { database, consumer } = this.options;
    const audience = plan.audience;
    const fiscalCodes =
      audience.kind === 'person'
        ? [audience.fiscalCode]
        : audience.kind === 'people'
          ? [...new Set(audience.fiscalCodes)].sort()
          : [];
    const planning = lane === 'bulk' ? undefined : this.higherLanes.begin();
    const foreground = lane === 'critical' ? this.options.foreground?.begin() : undefined;
    try {
      const em = database.fork({ comune: event.comune });
      const rows = await this.deliveriesOf(event, plan, fiscalCodes, priority, em);
      const now = this.now();
      let deliveries = 0;
      const notification: Notification = {
        ...this.notificationOf(event, plan, now),
        plannedAt: now,
        audienceCursor: fiscalCodes.at(-1) ?? null,
        plannedRecipients: fiscalCodes.length,
      };
      const first = await handleOnce(em, consumer, event, async (tx) => {
        await tx.insert(NotificationEntity, notification);
        deliveries = await this.options.store.insert(rows, tx);
      });
      if (!first) return { status: 'duplicate' };
      this.options.onRecorded?.(notification);
      if (rows.length > 0) {
        traceNotifier({ stage: 'planned', eventId: event.id });
        this.options.onPlanned?.(event.id, priority, new Set(rows.map((row) => row.channel)));
      }
      this.options.onProgress?.({ eventId: event.id, lane, recipients: fiscalCodes.length, deliveries });
      this.options.logger.info(
        { eventId: event.id, eventType: event.type, deliveries, recipients: fiscalCodes.length },
        'deliveries planned',
      );
      return { status: 'planned', deliveries, recipients: fiscalCodes.length };
    } finally {
      planning?.();
      foreground?.();
    }
  }

  /** The notification row of an event, before any planning. */
  private notificationOf(event: AnyEvent, plan: NotificationPlan, now: number) {
    return {
      eventId: event.id,
      comune: event.comune,
      eventType: event.type,
      category: plan.category,
      critical: plan.critical,
      messages: plan.messages,
      payment: plan.payment ?? null,
      dueDate: plan.dueDate ?? null,
      occurredAt: Date.parse(event.occurredAt),
      createdAt: now,
      plannedAt: null,
      audienceCursor: null,
      plannedRecipients: 0,
      event,
    };
  }

  /**
   * Records what the event tells, once; planning again (after a crash) finds it with its progress.
   * @returns where planning stands: after which fiscal code, and how many recipients are planned
   */
  private async recordNotification(
    event: AnyEvent,
    plan: NotificationPlan,
    recorded: { audienceCursor: string | null; plannedRecipients: number } | null,
  ): Promise<{ cursor: string | null; recipients: number }> {
    const em = this.options.database.fork({ comune: event.comune });
    if (recorded !== null) {
      if (recorded.audienceCursor !== null) {
        this.options.logger.info(
          { eventId: event.id, eventType: event.type, plannedRecipients: recorded.plannedRecipients },
          'planning resumed where it was interrupted',
        );
      }
      return { cursor: recorded.audienceCursor ?? null, recipients: recorded.plannedRecipients ?? 0 };
    }
    const notification: Notification = this.notificationOf(event, plan, this.now());
    await em.insert(NotificationEntity, notification);
    this.options.onRecorded?.(notification);
    return { cursor: null, recipients: 0 };
  }

  /** Records that every recipient up to the last of `page` has its deliveries. */
  private async saveProgress(event: AnyEvent, page: readonly string[], recipients: number): Promise<void> {
    const last = page.at(-1);
    if (last === undefined) return;
    await this.options.database
      .fork({ comune: event.comune })
      .nativeUpdate(
        NotificationEntity,
        { eventId: event.id },
        { audienceCursor: last, plannedRecipients: recipients },
      );
  }

  private async *recipientPages(
    comune: string,
    plan: NotificationPlan,
    after: string | null,
    lane: Lane,
  ): AsyncIterable<string[]> {
    if (plan.audience.kind === 'person') {
      if (after === null) yield [plan.audience.fiscalCode];
      return;
    }
    if (plan.audience.kind === 'people') {
      // A few people, in one page: planned at once or not at all.
      if (after === null) yield [...new Set(plan.audience.fiscalCodes)].sort();
      return;
    }
    const { zones } = plan.audience;
    let cursor = after;
    if (lane === 'critical' && cursor === null) {
      // An alert's first recipients get their messages while the rest is still being read.
      for await (const page of this.options.audience.residentsInZones(comune, zones, FIRST_CRITICAL_PAGE)) {
        yield page;
        cursor = page.at(-1) ?? null;
        break;
      }
      if (cursor === null) return;
    }
    yield* this.options.audience.residentsInZones(comune, zones, CONTACT_BATCH, cursor);
  }

  /** Resolves one page of recipients and records their deliveries. @returns how many were new. */
  private async planPage(
    event: AnyEvent,
    plan: NotificationPlan,
    fiscalCodes: string[],
    priority: number,
  ): Promise<number> {
    const em = this.options.database.fork({ comune: event.comune });
    const rows = await this.deliveriesOf(event, plan, fiscalCodes, priority, em);
    const inserted = await this.options.store.insert(rows, em);
    if (rows.length > 0) {
      traceNotifier({ stage: 'planned', eventId: event.id });
      this.options.onPlanned?.(event.id, priority, new Set(rows.map((row) => row.channel)));
    }
    return inserted;
  }

  /**
   * The deliveries of a page of recipients: their contact points from the directory, Telegram chats
   * from the notifier's table (read only for those identity says have one linked).
   */
  private async deliveriesOf(
    event: AnyEvent,
    plan: NotificationPlan,
    fiscalCodes: readonly string[],
    priority: number,
    em: EntityManager,
  ): Promise<NewDelivery[]> {
    const comune = event.comune;
    const contacts = await this.options.contacts.contactsOf(comune, fiscalCodes);
    const linked = this.options.channels.has('telegram')
      ? fiscalCodes.filter((fiscalCode) => contacts.get(fiscalCode)?.telegramLinked === true)
      : [];
    const chats = await telegramChatsOf(em, linked);
    traceNotifier({ stage: 'contacts', eventId: event.id });
    const rows: NewDelivery[] = [];
    for (const fiscalCode of fiscalCodes) {
      const contact = contacts.get(fiscalCode);
      if (contact === undefined) continue;
      for (const [channel, address] of chosenChannels(
        contact,
        chats.get(fiscalCode),
        plan,
        this.options.channels,
      )) {
        rows.push({
          comune,
          eventId: event.id,
          eventType: event.type,
          recipientKey: fiscalCode,
          fiscalCode,
          channel,
          address,
          language: contact.language,
          priority,
        });
      }
    }
    return rows;
  }
}

/** Telegram chats the bot linked, by fiscal code. */
export async function telegramChatsOf(
  em: EntityManager,
  fiscalCodes: readonly string[],
): Promise<Map<string, string>> {
  if (fiscalCodes.length === 0) return new Map();
  const rows = await em.find(TelegramChatEntity, { fiscalCode: { $in: [...fiscalCodes] } });
  return new Map(rows.map((row) => [row.fiscalCode, row.chatId]));
}

/**
 * The channels a recipient gets a message on: those linked to them and available here, minus the
 * ones they turned off for the category, unless the message is critical (red alerts reach every
 * linked channel whatever the preferences).
 */
export function chosenChannels(
  contact: ContactPoint,
  telegramChatId: string | undefined,
  plan: Pick<NotificationPlan, 'category' | 'critical'>,
  available: ReadonlySet<ChannelName>,
): Array<[ChannelName, string]> {
  const linked = linkedChannels(contact, telegramChatId);
  const chosen: Array<[ChannelName, string]> = [];
  for (const channel of CHANNELS) {
    const address = linked.get(channel);
    if (address === undefined || !available.has(channel)) continue;
    if (!plan.critical && contact.preferences[plan.category]?.[channel] === false) continue;
    chosen.push([channel, address]);
  }
  return chosen;
}
