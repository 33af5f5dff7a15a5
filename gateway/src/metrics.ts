import { type ForegroundGate } from '@sportello/platform';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, on a registry of its own so several gateways in one process
 * (tests, the embedded hub) never collide on metric names.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Every HTTP request, by route (`graphql`, `health`, ...) and status code. */
  readonly requests: Counter<'route' | 'status'>;
  /** Time from request received to response written, by route. */
  readonly requestDuration: Histogram<'route'>;
  /** GraphQL errors sent to clients, by `extensions.code`. */
  readonly errors: Counter<'code'>;
  /** Requests refused before execution, by reason (`rate_limit_client`, `body_too_large`, ...). */
  readonly rejections: Counter<'reason'>;
  /** Live GraphQL subscriptions (graphql-ws). */
  readonly openSubscriptions: Gauge;
  /** Time of each subgraph fetch, by subgraph and outcome (`ok`, `error`). */
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  /** Fetches that actually went out to a subgraph (merged ones are not counted here). */
  readonly subgraphFetches: Counter<'subgraph'>;
  /** Anonymous subgraph fetches answered by an identical fetch already in flight. */
  readonly subgraphFetchMerges: Counter<'subgraph'>;
  /** Public response cache lookups: `hit`, `miss` (anonymous requests only). */
  readonly responseCacheLookups: Counter<'outcome'>;
  /** Responses answered `304 Not Modified` because the client's `If-None-Match` still holds. */
  readonly notModified: Counter;
  /** Comuni whose cached public responses were dropped because the bus said their data changed. */
  readonly responseCacheInvalidations: Counter<'type'>;
  /** Bytes held by the public response cache. */
  readonly responseCacheBytes: Gauge;
  /** Requests other gateway replicas let through, spent from this one's budgets too, by kind. */
  readonly rateLimitPeerUsage: Counter<'kind'>;
}

/** Creates the gateway metrics on a fresh registry (plus Node process metrics). */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    requests: new Counter({
      name: 'sportello_gateway_http_requests_total',
      help: 'HTTP requests served by the gateway',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'sportello_gateway_http_request_duration_seconds',
      help: 'Time to serve an HTTP request',
      labelNames: ['route'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'sportello_gateway_graphql_errors_total',
      help: 'GraphQL errors returned to clients, by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'sportello_gateway_rejections_total',
      help: 'Requests refused before execution, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    openSubscriptions: new Gauge({
      name: 'sportello_gateway_open_subscriptions',
      help: 'Live GraphQL subscriptions',
      registers: [registry],
    }),
    subgraphFetchDuration: new Histogram({
      name: 'sportello_gateway_subgraph_fetch_duration_seconds',
      help: 'Time of one fetch from the gateway to a subgraph',
      labelNames: ['subgraph', 'outcome'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    subgraphFetches: new Counter({
      name: 'sportello_gateway_subgraph_fetches_total',
      help: 'Fetches sent from the gateway to a subgraph',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    subgraphFetchMerges: new Counter({
      name: 'sportello_gateway_subgraph_fetch_merges_total',
      help: 'Anonymous subgraph fetches answered by an identical fetch already in flight',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    responseCacheLookups: new Counter({
      name: 'sportello_gateway_response_cache_lookups_total',
      help: 'Public response cache lookups, by outcome (hit, miss)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    notModified: new Counter({
      name: 'sportello_gateway_not_modified_total',
      help: 'Public responses answered 304 Not Modified',
      registers: [registry],
    }),
    responseCacheInvalidations: new Counter({
      name: 'sportello_gateway_response_cache_invalidations_total',
      help: 'Events that dropped the cached public responses of a comune, by event type',
      labelNames: ['type'],
      registers: [registry],
    }),
    responseCacheBytes: new Gauge({
      name: 'sportello_gateway_response_cache_bytes',
      help: 'Bytes held by the public response cache',
      registers: [registry],
    }),
    rateLimitPeerUsage: new Counter({
      name: 'sportello_gateway_rate_limit_peer_requests_total',
      help: "Requests other gateway replicas let through, spent from this replica's budgets (kind: ip, client)",
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}

/**
 * Publishes a {@link ForegroundGate} the gateway shares its event loop with (the embedded hub): the
 * foreground work in progress, and how often and how long background work waited for it. Steadily
 * rising forced releases mean requests keep the loop busy enough that background work (notifications,
 * the audit log) runs only on its bounded share.
 */
export function registerForegroundMetrics(metrics: GatewayMetrics, gate: ForegroundGate): void {
  const registers = [metrics.registry];
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  new Gauge({
    name: 'sportello_foreground_work',
    help: 'Requests and subscriber updates in progress that background work waits for',
    registers,
    collect() {
      this.set(gate.active);
    },
  });
  total(
    'sportello_background_deferrals_total',
    'Background units (consumer deliveries, sends) that waited for foreground work',
    () => gate.stats.deferred,
  );
  total(
    'sportello_background_forced_releases_total',
    'Background units that stopped waiting at the bound, foreground work still in progress',
    () => gate.stats.forced,
  );
  total(
    'sportello_background_deferred_seconds_total',
    'Time background units spent waiting for foreground work',
    () => gate.stats.deferredSeconds,
  );
}

/** Publishes the operations executing and waiting their turn (see `createConcurrencyLimit`). */
export function registerConcurrencyMetrics(
  metrics: GatewayMetrics,
  stats: Readonly<{ running: number; queued: number }>,
): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  gauge('sportello_gateway_operations_running', 'Queries and mutations executing now', () => stats.running);
  gauge(
    'sportello_gateway_operations_queued',
    'Queries and mutations waiting for their turn (maxConcurrentOperations)',
    () => stats.queued,
  );
}
