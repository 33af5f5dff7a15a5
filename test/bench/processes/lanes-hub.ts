/**
 * Child process of the lanes benchmark: the embedded hub as `npm start` runs it (a fresh demo comune
 * in a temp folder), watched from inside: when each service's database commits an event (the outbox
 * diagnostics channel), when the event reaches the bus (a live listener), the notifier's steps (its
 * trace channel: handed to the planner, first deliveries recorded, first claimed, first about to be
 * sent), when its provider accepts the first delivery (the notifier's delivered channel), and when
 * its first mail arrives at the SMTP server, which runs in a worker thread of its own (the wire).
 * Times are this process's `performance.now()`.
 *
 * Argument: JSON `{ "households": number }`. Requests: `{ op: 'timings', types }` (the events of
 * those types seen so far, with their times), `{ op: 'count', type }` (how many events of a type
 * reached the bus, and when the last one did) and `{ op: 'stalls', since }` (when the hub's loop
 * stalled more than 100 ms, and how long).
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startEmbeddedHub } from '@sportello/hub';
import { NOTIFIER_DELIVERED_CHANNEL, NOTIFIER_TRACE_CHANNEL, type NotifierTrace } from '@sportello/notifier';
import { OUTBOX_COMMITTED_CHANNEL, type OutboxCommittedMessage } from '@sportello/platform';
import { serveParent } from '../child-process.js';
import { embeddedHubConfig, embeddedHubReady, type EmbeddedHubReady } from '../embedded-hub-config.js';

/** What the lanes hub reports once up. */
export type LanesHubReady = EmbeddedHubReady;

/** One event as the hub saw it. */
export interface EventTimes {
  id: string;
  type: string;
  commitAt?: number;
  busAt?: number;
  /** The notifier's consumer handed it to the planner. */
  planningAt?: number;
  /** Its first recipients were read (anagrafe). */
  audienceAt?: number;
  /** Their contact points were read (identity) with their Telegram chats. */
  contactsAt?: number;
  /** Its first deliveries were recorded. */
  plannedAt?: number;
  /** A dispatcher pass first leased some of them. */
  claimedAt?: number;
  /** The first of them was about to go to its provider. */
  sendingAt?: number;
  firstDeliveryAt?: number;
  /** Its first mail arrived at the SMTP server. */
  firstMailAt?: number;
}

/** Stages of the notifier trace, as fields of {@link EventTimes}. */
const TRACE_FIELDS = {
  planning: 'planningAt',
  audience: 'audienceAt',
  contacts: 'contactsAt',
  planned: 'plannedAt',
  claimed: 'claimedAt',
  sending: 'sendingAt',
} as const satisfies Record<NotifierTrace['stage'], keyof EventTimes>;

const options = JSON.parse(process.argv[2] ?? '{}') as { households?: number };

serveParent(async () => {
  const commits = new Map<string, number>();
  const firstDeliveries = new Map<string, number>();
  const seen = new Map<string, { type: string; at: number }>();
  const counts = new Map<string, { count: number; lastAt: number }>();
  subscribe(OUTBOX_COMMITTED_CHANNEL, (message) => {
    const at = performance.now();
    for (const id of (message as OutboxCommittedMessage).eventIds) commits.set(id, at);
  });
  /** Per event id, when each notifier step first happened. */
  const steps = new Map<string, Partial<Record<(typeof TRACE_FIELDS)[keyof typeof TRACE_FIELDS], number>>>();
  subscribe(NOTIFIER_TRACE_CHANNEL, (message) => {
    const at = performance.now();
    const { stage, eventId } = message as NotifierTrace;
    const field = TRACE_FIELDS[stage];
    const known = steps.get(eventId) ?? {};
    if (known[field] === undefined) steps.set(eventId, { ...known, [field]: at });
  });
  /** Deliveries accepted, by id, with their event: to find an event's mails at the SMTP server. */
  const deliveryEvents = new Map<string, string>();
  subscribe(NOTIFIER_DELIVERED_CHANNEL, (message) => {
    const { eventId, deliveryId, channel } = message as {
      eventId: string;
      deliveryId: string;
      channel: string;
    };
    if (!firstDeliveries.has(eventId)) firstDeliveries.set(eventId, performance.now());
    if (channel === 'email' && seen.has(eventId)) deliveryEvents.set(deliveryId, eventId);
  });

  const smtp = new Worker(new URL('./wire-smtp-thread.js', import.meta.url));
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.once('message', (message: { port: number }) => resolve(message.port));
  });
  /** First mail of each event at the SMTP server, in this process's `performance.now()`. */
  const mailArrivals = async (): Promise<Map<string, number>> => {
    const { times } = await new Promise<{ times: Array<[string, number]> }>((resolve) => {
      smtp.once('message', resolve);
      smtp.postMessage('times');
    });
    const firstByEvent = new Map<string, number>();
    for (const [messageId, epochAt] of times) {
      const eventId = deliveryEvents.get(messageId.replace(/\.delivery@.*$/, ''));
      if (eventId === undefined) continue;
      const at = epochAt - performance.timeOrigin;
      if (at < (firstByEvent.get(eventId) ?? Number.POSITIVE_INFINITY)) firstByEvent.set(eventId, at);
    }
    return firstByEvent;
  };

  const dataDir = await mkdtemp(join(tmpdir(), 'sportello-lanes-'));
  const households = options.households ?? 1200;
  // Its mail goes to the SMTP server in the worker thread: the wire, off the hub's loop.
  const { config, internalSecret } = embeddedHubConfig({
    dataDir,
    smtpPort,
    households,
    env: {
      // Every request comes from one address here: the per-address limit would measure itself.
      GATEWAY_IP_RATE_LIMIT: '1000000',
      GATEWAY_CLIENT_RATE_LIMIT: '1000000',
    },
  });
  const hub = await startEmbeddedHub(config);
  await hub.bus.listen('sportello.>', (event) => {
    const at = performance.now();
    // Audit entries and billing events are too many to keep one by one: counted only.
    if (event.type !== 'audit.personal-data-read' && event.type !== 'payment.position-created') {
      seen.set(event.id, { type: event.type, at });
    }
    const count = counts.get(event.type) ?? { count: 0, lastAt: 0 };
    count.count += 1;
    count.lastAt = at;
    counts.set(event.type, count);
  });
  // The loop's stalls: a tick of this timer late by more than 100 ms, with when the stall began.
  const stalls: Array<{ at: number; ms: number }> = [];
  let expected = performance.now() + 20;
  const stallWatch = setInterval(() => {
    const at = performance.now();
    if (at - expected > 100) stalls.push({ at: expected, ms: at - expected });
    expected = at + 20;
  }, 20);
  stallWatch.unref();
  const ready: LanesHubReady = embeddedHubReady(hub, { internalSecret, comune: config.comune, households });
  return {
    ready: { ...ready },
    async handle(request) {
      if (request.op === 'now') return performance.now();
      // This process's clock origin: its times plus this are epoch milliseconds.
      if (request.op === 'origin') return performance.timeOrigin;
      // The loop's stalls of more than 100 ms since `since` (this process's time), longest first.
      if (request.op === 'stalls') {
        return stalls.filter((stall) => stall.at >= Number(request.since)).sort((a, b) => b.ms - a.ms);
      }
      if (request.op === 'count') {
        return counts.get(String(request.type)) ?? { count: 0, lastAt: 0 };
      }
      if (request.op === 'timings') {
        const types = new Set(request.types as string[]);
        const mails = await mailArrivals();
        const out: EventTimes[] = [];
        for (const [id, { type, at }] of seen) {
          if (!types.has(type)) continue;
          out.push({
            id,
            type,
            busAt: at,
            ...(commits.has(id) ? { commitAt: commits.get(id)! } : {}),
            ...steps.get(id),
            ...(firstDeliveries.has(id) ? { firstDeliveryAt: firstDeliveries.get(id)! } : {}),
            ...(mails.has(id) ? { firstMailAt: mails.get(id)! } : {}),
          });
        }
        return out;
      }
      throw new Error(`unknown request ${String(request.op)}`);
    },
    async close() {
      clearInterval(stallWatch);
      await hub.close();
      smtp.postMessage('close');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
