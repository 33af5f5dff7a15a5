import type { Database } from '@sportello/platform';
import {
  CHANNELS,
  DeliveryStore,
  lanePriority,
  NotificationEntity,
  type ChannelName,
  type Language,
  type NewDelivery,
  type NotificationPlan,
} from '@sportello/notifier';
import { v7 as uuidv7 } from 'uuid';

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
 * Plans `deliveries` deliveries of one synthetic event for a synthetic audience through the
 * planner's bulk insert (no directory lookups), on an open, migrated notifier database: the load of
 * the dispatcher tests and of the planning benchmark. Returns the event id and the time it took.
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
        priority: lanePriority('critical', 100),
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
    audienceCursor: null,
    plannedRecipients: 0,
    event: null,
  });
  const planned = await store.insert(rows);
  return { eventId, planned, elapsedMs: performance.now() - started };
}
