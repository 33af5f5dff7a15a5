/**
 * Child process of the lanes benchmark: the embedded hub as `npm start` runs it (a fresh demo comune
 * in a temp folder), watched from inside: when each service's database commits an event (the outbox
 * diagnostics channel), when the event reaches the bus (a live listener), and when the notifier's
 * provider accepts its first delivery (the notifier's diagnostics channel). Times are this process's
 * `performance.now()`.
 *
 * Argument: JSON `{ "households": number }`. Requests: `{ op: 'timings', types }` (the events of
 * those types seen so far, with their times) and `{ op: 'count', type }` (how many events of a type
 * reached the bus, and when the last one did).
 */
import { subscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHubConfig, startEmbeddedHub } from '@sportello/hub';
import { NOTIFIER_DELIVERED_CHANNEL } from '@sportello/notifier';
import { OUTBOX_COMMITTED_CHANNEL, type OutboxCommittedMessage } from '@sportello/platform';
import { serveParent } from '../child-process.js';

/** What the lanes hub reports once up. */
export interface LanesHubReady {
  gatewayUrl: string;
  services: Record<string, string>;
  internalSecret: string;
  publicUrl: string;
  comune: string;
  households: number;
}

/** One event as the hub saw it. */
export interface EventTimes {
  id: string;
  type: string;
  commitAt?: number;
  busAt?: number;
  firstDeliveryAt?: number;
}

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
  subscribe(NOTIFIER_DELIVERED_CHANNEL, (message) => {
    const { eventId } = message as { eventId: string };
    if (!firstDeliveries.has(eventId)) firstDeliveries.set(eventId, performance.now());
  });

  const dataDir = await mkdtemp(join(tmpdir(), 'sportello-lanes-'));
  const households = options.households ?? 1200;
  const internalSecret = randomBytes(32).toString('base64url');
  const config = loadHubConfig({
    INTERNAL_SECRET: internalSecret,
    PORT: '0',
    SMTP_PORT: '0',
    DATA_DIR: dataDir,
    DEMO_HOUSEHOLDS: String(households),
    LOG_LEVEL: 'warn',
    // Every request comes from one address here: the per-address limit would measure itself.
    GATEWAY_IP_RATE_LIMIT: '1000000',
    GATEWAY_CLIENT_RATE_LIMIT: '1000000',
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
  const ready: LanesHubReady = {
    gatewayUrl: hub.url,
    services: hub.services as Record<string, string>,
    internalSecret,
    publicUrl: hub.url.replace(/\/graphql$/, ''),
    comune: config.comune,
    households,
  };
  return {
    ready: { ...ready },
    async handle(request) {
      if (request.op === 'now') return performance.now();
      if (request.op === 'count') {
        return counts.get(String(request.type)) ?? { count: 0, lastAt: 0 };
      }
      if (request.op === 'timings') {
        const types = new Set(request.types as string[]);
        const out: EventTimes[] = [];
        for (const [id, { type, at }] of seen) {
          if (!types.has(type)) continue;
          out.push({
            id,
            type,
            busAt: at,
            ...(commits.has(id) ? { commitAt: commits.get(id)! } : {}),
            ...(firstDeliveries.has(id) ? { firstDeliveryAt: firstDeliveries.get(id)! } : {}),
          });
        }
        return out;
      }
      throw new Error(`unknown request ${String(request.op)}`);
    },
    async close() {
      await hub.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
