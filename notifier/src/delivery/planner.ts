import { InboxEntry, handleOnce, type Database, type EntityManager, type Logger } from '@sportello/platform';
import type { AnyEvent } from '@sportello/schema';
import type { ChannelName, Language } from '../channels/channel.js';
import {
  linkedChannels,
  type AudienceDirectory,
  type ContactDirectory,
  type ContactPoint,
} from '../directory/contact-directory.js';
import { CHANNELS } from '../domain/categories.js';
import { planFor, type NotificationPlan, type RuleSettings } from '../domain/rules.js';
import { PUBLIC_RECIPIENT } from '../entities/delivery.entity.js';
import { NotificationEntity } from '../entities/notification.entity.js';
import { TelegramChatEntity } from '../entities/telegram-chat.entity.js';
import { v7 as uuidv7 } from 'uuid';
import { DeliveryStore, type NewDelivery } from './delivery-store.js';

/** Identity answers at most this many citizens per batch read. */
export const CONTACT_BATCH = 500;

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
  /** Called after each batch of deliveries is recorded (wakes the dispatcher). */
  onPlanned?(eventId: string): void;
}

/**
 * Turns an event into deliveries: decides what it tells whom (rules), resolves the recipients page by
 * page (residents from anagrafe, contact points and preferences from identity, Telegram chats from
 * the notifier's own table) and records one delivery per (event, recipient, channel) in bulk.
 *
 * Exactly once: each page is inserted with `on conflict do nothing` on that key, and the event is
 * marked processed in the inbox only when the last page is in. A crash or a redelivery in between
 * plans the event again and inserts only what is missing; a redelivery afterwards changes nothing.
 */
export class Planner {
  private readonly now: () => number;

  constructor(private readonly options: PlannerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Plans the deliveries of one parsed event. */
  async planEvent(event: AnyEvent): Promise<PlanOutcome> {
    const { database, consumer } = this.options;
    const seen = await database.forkUnscoped().findOne(InboxEntry, { consumer, eventId: event.id });
    if (seen !== null) return { status: 'duplicate' };
    const plan = planFor(event, this.options.settings);
    if (plan === null) {
      await handleOnce(database.fork({ comune: event.comune }), consumer, event, async () => {});
      return { status: 'ignored' };
    }
    await this.recordNotification(event, plan);
    let deliveries = 0;
    let recipients = 0;
    for await (const page of this.recipientPages(event.comune, plan)) {
      recipients += page.length;
      deliveries += await this.planPage(event, plan, page);
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
            priority: plan.priority,
          },
        ]);
        this.options.onPlanned?.(event.id);
      }
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

  private async recordNotification(event: AnyEvent, plan: NotificationPlan): Promise<void> {
    const em = this.options.database.fork({ comune: event.comune });
    if ((await em.findOne(NotificationEntity, { eventId: event.id })) !== null) return;
    await em.insert(NotificationEntity, {
      eventId: event.id,
      comune: event.comune,
      eventType: event.type,
      category: plan.category,
      critical: plan.critical,
      messages: plan.messages,
      payment: plan.payment ?? null,
      dueDate: plan.dueDate ?? null,
      occurredAt: Date.parse(event.occurredAt),
      createdAt: this.now(),
      plannedAt: null,
    });
  }

  private async *recipientPages(comune: string, plan: NotificationPlan): AsyncIterable<string[]> {
    if (plan.audience.kind === 'person') {
      yield [plan.audience.fiscalCode];
      return;
    }
    yield* this.options.audience.residentsInZones(comune, plan.audience.zones, CONTACT_BATCH);
  }

  /** Resolves one page of recipients and records their deliveries. @returns how many were new. */
  private async planPage(event: AnyEvent, plan: NotificationPlan, fiscalCodes: string[]): Promise<number> {
    const comune = event.comune;
    const em = this.options.database.fork({ comune });
    const [contacts, chats] = await Promise.all([
      this.options.contacts.contactsOf(comune, fiscalCodes),
      telegramChatsOf(em, fiscalCodes),
    ]);
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
          priority: plan.priority,
        });
      }
    }
    const inserted = await this.options.store.insert(rows, em);
    if (rows.length > 0) this.options.onPlanned?.(event.id);
    return inserted;
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

/** Options of {@link planSyntheticAudience}. */
export interface SyntheticAudienceOptions {
  /** How many deliveries to plan. */
  deliveries: number;
  /** @default '001272' */
  comune?: string;
  /** Channels each synthetic recipient has, round robin. @default ['email', 'telegram', 'io'] */
  channels?: readonly ChannelName[];
  /** @default 'it' */
  language?: Language;
}

/**
 * Benchmark hook: plans `deliveries` deliveries of one synthetic event for a synthetic audience
 * through the same bulk insert the planner uses (no directory lookups), on an open, migrated
 * notifier database. Returns the event id and the time the planning took.
 */
export async function planSyntheticAudience(
  database: Database,
  options: SyntheticAudienceOptions,
): Promise<{ eventId: string; planned: number; elapsedMs: number }> {
  const started = performance.now();
  const comune = options.comune ?? '001272';
  const channels = options.channels ?? CHANNELS;
  const eventId = uuidv7();
  const store = new DeliveryStore(database);
  const rows: NewDelivery[] = [];
  const perRecipient = channels.length;
  for (let i = 0; rows.length < options.deliveries; i++) {
    const fiscalCode = `SYNTH${String(i).padStart(11, '0')}`;
    for (let c = 0; c < perRecipient && rows.length < options.deliveries; c++) {
      const channel = channels[c]!;
      rows.push({
        comune,
        eventId,
        eventType: 'alert.issued',
        recipientKey: fiscalCode,
        fiscalCode,
        channel,
        address:
          channel === 'email'
            ? `r${i}@example.org`
            : channel === 'telegram'
              ? String(100000 + i)
              : fiscalCode,
        language: options.language ?? 'it',
        priority: 100,
      });
    }
  }
  await database.fork({ comune }).insert(NotificationEntity, {
    eventId,
    comune,
    eventType: 'alert.issued',
    category: 'critical-alerts',
    critical: true,
    messages: Object.fromEntries(
      (['it', 'en', 'de'] as const).map((language) => [
        language,
        {
          kind: 'alert-issued',
          data: {
            colour: 'red',
            risk: 'synthetic',
            zone: 'Z1',
            validFrom: '2026-01-01T00:00:00Z',
            validUntil: '2026-01-02T00:00:00Z',
            url: 'https://portale.example.it/allerte/synthetic',
          },
        },
      ]),
    ) as NotificationPlan['messages'],
    payment: null,
    dueDate: null,
    occurredAt: Date.now(),
    createdAt: Date.now(),
    plannedAt: Date.now(),
  });
  const planned = await store.insert(rows);
  return { eventId, planned, elapsedMs: performance.now() - started };
}
