import { LANES, laneOf, type Lane } from '@sportello/schema';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import type { Consumer, ConsumerObserver, ConsumerStats } from '../bus/event-bus.js';
import type { Database } from '../database/database.js';

export type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Buckets of request and handler durations, in seconds: 5 ms to 30 s. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Buckets of lags (commit to bus, bus to handled), in seconds: 10 ms to 10 min. */
export const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

/** Options of {@link createServiceMetrics}. */
export interface ServiceMetricsOptions {
  /** The service, as the `service` label of every metric (`identity`, `notifier`...). */
  service: string;
  /**
   * Adds the Node process metrics (CPU, memory, event-loop lag, GC). By default the first registry
   * of a process takes them: each process of the distributed hub reports them once, and the
   * embedded hub's one process once, on its first service. @default first of the process
   */
  processMetrics?: boolean;
}

/**
 * A service's Prometheus metrics, on a registry of its own (several services share the embedded
 * hub's process; every metric carries a `service` label). Served at `GET /metrics` by the service's
 * HTTP server. Names are documented in the platform README and drawn by `docs/grafana-dashboard.json`.
 */
export interface ServiceMetrics {
  readonly service: string;
  readonly registry: Registry;
  /** Time to answer an HTTP request, by route and status. */
  readonly requestDuration: Histogram<'route' | 'status'>;
  /** Events the outbox relay published, by lane. */
  readonly outboxPublished: Counter<'lane'>;
  /** Publishes that failed (retried later), by lane. */
  readonly outboxPublishFailures: Counter<'lane'>;
  /** Time from an event's commit to the bus accepting it, by lane. */
  readonly relayLag: Histogram<'lane'>;
  /** Events consumers handled, by consumer, lane and outcome (`ok`, `retry`, `poison`, `skipped`). */
  readonly consumerHandled: Counter<'consumer' | 'lane' | 'outcome'>;
  /** Events a consumer received again (a retry, or after a crash or an expired ack wait). */
  readonly consumerRedeliveries: Counter<'consumer' | 'lane'>;
  /** Time a handler took, by consumer and lane. */
  readonly consumerDuration: Histogram<'consumer' | 'lane'>;
  /** Time from the event's occurrence to its handler finishing, by consumer and lane. */
  readonly consumerLag: Histogram<'consumer' | 'lane'>;
  /**
   * Reports the outbox's pending events and the age of the oldest, by lane, read from the database
   * at each scrape.
   */
  watchOutbox(database: Database): void;
  /** Reports a consumer's backlog (pending, in flight) at each scrape, by lane. */
  watchConsumer(name: string, consumer: Consumer): void;
  /** What a consumer reports to, for `ConsumerOptions.observer`. */
  consumerObserver(name: string): ConsumerObserver;
  /** A gauge of the service's own on this registry; `collect` may be async (read at each scrape). */
  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L>;
  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L>;
  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L>;
  /** The text exposition format, for `GET /metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Whether a registry of this process reports the process metrics already. */
let processMetricsTaken = false;

/** Creates a service's metrics on a fresh registry. */
export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  const processMetrics = options.processMetrics ?? !processMetricsTaken;
  if (processMetrics && !processMetricsTaken) {
    processMetricsTaken = true;
    collectDefaultMetrics({ register: registry, prefix: 'sportello_' });
  }
  const registers = [registry];
  const outboxes = new Set<Database>();
  const consumers = new Map<string, Consumer>();

  const metrics: ServiceMetrics = {
    service: options.service,
    registry,
    requestDuration: new Histogram({
      name: 'sportello_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route and status',
      labelNames: ['route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    outboxPublished: new Counter({
      name: 'sportello_outbox_published_total',
      help: 'Events the outbox relay published to the bus, by lane',
      labelNames: ['lane'],
      registers,
    }),
    outboxPublishFailures: new Counter({
      name: 'sportello_outbox_publish_failures_total',
      help: 'Outbox publishes that failed and will be retried, by lane',
      labelNames: ['lane'],
      registers,
    }),
    relayLag: new Histogram({
      name: 'sportello_outbox_relay_lag_seconds',
      help: "Time from an event's commit to the bus accepting it, by lane",
      labelNames: ['lane'],
      buckets: LAG_BUCKETS,
      registers,
    }),
    consumerHandled: new Counter({
      name: 'sportello_consumer_events_total',
      help: 'Events handled by a consumer, by lane and outcome (ok, retry, poison, skipped)',
      labelNames: ['consumer', 'lane', 'outcome'],
      registers,
    }),
    consumerRedeliveries: new Counter({
      name: 'sportello_consumer_redeliveries_total',
      help: 'Events a consumer received more than once (retries, crashes, expired ack waits)',
      labelNames: ['consumer', 'lane'],
      registers,
    }),
    consumerDuration: new Histogram({
      name: 'sportello_consumer_handler_duration_seconds',
      help: 'Time a consumer took to handle an event',
      labelNames: ['consumer', 'lane'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    consumerLag: new Histogram({
      name: 'sportello_consumer_lag_seconds',
      help: 'Time from an event occurring to a consumer having handled it',
      labelNames: ['consumer', 'lane'],
      buckets: LAG_BUCKETS,
      registers,
    }),
    watchOutbox(database) {
      outboxes.add(database);
    },
    watchConsumer(name, consumer) {
      consumers.set(name, consumer);
    },
    consumerObserver(name) {
      return {
        handled: ({ type, outcome, deliveries, durationMs, occurredAt }) => {
          const lane = laneOf(type);
          metrics.consumerHandled.inc({ consumer: name, lane, outcome });
          if (deliveries > 1) metrics.consumerRedeliveries.inc({ consumer: name, lane });
          metrics.consumerDuration.observe({ consumer: name, lane }, durationMs / 1000);
          if (outcome === 'ok' && occurredAt !== undefined) {
            const lag = (Date.now() - Date.parse(occurredAt)) / 1000;
            if (Number.isFinite(lag) && lag >= 0) metrics.consumerLag.observe({ consumer: name, lane }, lag);
          }
        },
      };
    },
    gauge: (config) => new Gauge({ ...config, registers }),
    counter: (config) => new Counter({ ...config, registers }),
    histogram: (config) => new Histogram({ ...config, registers }),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };

  new Gauge({
    name: 'sportello_outbox_pending',
    help: 'Events committed and not yet published, by lane',
    labelNames: ['lane'],
    registers,
    async collect() {
      const pending = await outboxPending(outboxes);
      for (const lane of LANES) this.set({ lane }, pending.get(lane)?.count ?? 0);
    },
  });
  new Gauge({
    name: 'sportello_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished event, by lane (0 when none waits)',
    labelNames: ['lane'],
    registers,
    async collect() {
      const pending = await outboxPending(outboxes);
      const now = Date.now();
      for (const lane of LANES) {
        const oldest = pending.get(lane)?.oldest;
        this.set({ lane }, oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000));
      }
    },
  });
  const consumerGauge = (name: string, help: string, read: (stats: ConsumerStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['consumer', 'lane'],
      registers,
      async collect() {
        this.reset();
        for (const [consumer, handle] of consumers) {
          const stats = await handle.stats?.().catch(() => []);
          for (const entry of stats ?? []) this.set({ consumer, lane: entry.lane ?? 'all' }, read(entry));
        }
      },
    });
  consumerGauge(
    'sportello_consumer_pending',
    'Events waiting for a consumer (on the bus or in its queue), by lane',
    (stats) => stats.pending,
  );
  consumerGauge(
    'sportello_consumer_in_flight',
    'Events a consumer has received and not yet acknowledged, by lane',
    (stats) => stats.inFlight,
  );
  return metrics;
}

/** Pending outbox events by lane, over every watched database (one scrape reads each once). */
async function outboxPending(
  databases: ReadonlySet<Database>,
): Promise<Map<Lane, { count: number; oldest: number | undefined }>> {
  const byLane = new Map<Lane, { count: number; oldest: number | undefined }>();
  for (const database of databases) {
    const rows = await database
      .forkUnscoped()
      .getConnection()
      .execute<Array<{ type: string; n: number | string; oldest: unknown }>>(
        `select type, count(*) as n, min(created_at) as oldest from outbox_message ` +
          `where published_at is null group by type`,
      );
    for (const row of rows) {
      const lane = laneOf(row.type);
      const entry = byLane.get(lane) ?? { count: 0, oldest: undefined };
      entry.count += Number(row.n);
      const oldest = toEpochMs(row.oldest);
      if (oldest !== undefined && (entry.oldest === undefined || oldest < entry.oldest))
        entry.oldest = oldest;
      byLane.set(lane, entry);
    }
  }
  return byLane;
}

/** A timestamp as the driver returns it: a Date (PostgreSQL), epoch ms or an ISO string (SQLite). */
function toEpochMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const parsed = Date.parse(String(value));
  return Number.isNaN(parsed) ? undefined : parsed;
}
