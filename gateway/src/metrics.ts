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
  };
}
