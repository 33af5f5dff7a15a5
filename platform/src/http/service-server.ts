import { createServer, type Server, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { context as traceContext, trace } from '@opentelemetry/api';
import {
  INTERNAL_ASSERTION_HEADER,
  InternalAssertionError,
  type InternalAssertions,
} from '../auth/internal-assertion.js';
import { httpStatusOfCode, isClientError } from '../errors/client-errors.js';
import { listenOn } from './listen.js';
import { type Logger } from '../logging/logger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { operationNameAttribute, SPAN_ATTRIBUTES, startServerSpan } from '../observability/spans.js';
import {
  createServiceRequest,
  MalformedBodyError,
  PayloadTooLargeError,
  type ServiceRequest,
} from './service-request.js';

/** What a route handler answers. Give `json` for a JSON body, or `body` with your own content type. */
export interface RouteResponse {
  status: number;
  headers?: Record<string, string | readonly string[]>;
  body?: string | Uint8Array;
  json?: unknown;
}

/** An extra endpoint next to `/graphql` (`/.well-known/jwks.json`, `/auth/token`, webhooks...). */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact path, e.g. `/.well-known/jwks.json`; no patterns. With `prefix`, a path ending in `/`. */
  path: string;
  /** The route serves every path under `path` (e.g. `/oauth/interaction/` and its sign-in steps). */
  prefix?: boolean;
  handler(request: ServiceRequest): Promise<RouteResponse> | RouteResponse;
}

export interface ServiceServerOptions<Context extends BaseContext> {
  /** Service name, for logs and the `sportello.service` attribute of its spans. */
  name: string;
  /** Not started yet: the server starts it on `listen` and stops it on `close`. */
  apollo: ApolloServer<Context>;
  /** Builds the GraphQL context of a request (see `createRequestContextFactory`). */
  context: (request: ServiceRequest) => Promise<Context>;
  routes?: readonly Route[];
  /** Largest accepted request body. @default 1_048_576 */
  maxBodyBytes?: number;
  logger: Logger;
  /** Readiness check for `GET /health`: throw (or reject) when the service cannot serve. */
  health?: () => Promise<void> | void;
  /**
   * What `GET /ready` checks, by name (`database`, `bus`...): each resolves when its dependency
   * answers and rejects saying why not; every check must pass within 2 s for a 200. Without any,
   * `/ready` answers like `/health`.
   */
  readiness?: Readonly<Record<string, () => Promise<void>>>;
  /** Served at `GET /metrics` (Prometheus text format); request durations are counted on it. */
  metrics?: ServiceMetrics;
  /** How long `close` waits for in-flight requests before cutting connections. @default 10_000 */
  shutdownGraceMs?: number;
  /**
   * The trust boundary: when given, every request but the probes (`GET /health`, `/ready`,
   * `/metrics`) must carry a valid internal assertion (the gateway's or another service's); anything
   * else is refused with 401, whatever access token it carries. Absent, the server answers anyone (a
   * service run alone in demo mode without `INTERNAL_SECRET`). The probes stay open for
   * orchestrators and Prometheus: they tell states and counts, never data, and services listen on
   * loopback only.
   */
  internal?: InternalAssertions;
}

export interface ServiceServer {
  /**
   * Starts Apollo and listens. Port 0 picks a free port.
   * @returns the base URL, e.g. `http://127.0.0.1:4001` (GraphQL is at `${url}/graphql`).
   */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish (up to the grace period), stops Apollo. */
  close(): Promise<void>;
  /** The underlying server, e.g. to attach a graphql-ws server on `/graphql`. */
  readonly httpServer: Server;
}

const GRAPHQL_PATH = '/graphql';
const HEALTH_PATH = '/health';
const READY_PATH = '/ready';
const METRICS_PATH = '/metrics';
/** Open to anyone, without the internal assertion, and never traced: probes and scrapes. */
const PROBE_PATHS = new Set([HEALTH_PATH, READY_PATH, METRICS_PATH]);
const HEALTH_TIMEOUT_MS = 5_000;
const READY_TIMEOUT_MS = 2_000;

/** Runs `check`, rejecting after `ms` with a message saying so. */
async function within(ms: number, check: () => Promise<void> | void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function send(
  res: ServerResponse,
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(json));
}

/** A GraphQL-over-HTTP error body, for failures before Apollo sees the request. */
function graphqlError(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || mediaType === 'application/graphql-response+json';
}

async function writeGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  // Incremental delivery (@defer): flush each part as it comes.
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Serves a subgraph over plain `node:http`: GraphQL on `POST`/`GET /graphql` through Apollo's
 * `executeHTTPGraphQLRequest`, `GET /health` (alive), `GET /ready` (its dependencies answer),
 * `GET /metrics` (Prometheus), and extra routes. Request bodies are bounded (413
 * beyond `maxBodyBytes`); GraphQL POSTs must be JSON (415 otherwise). Every response carries
 * `x-request-id`. Creating the server does nothing until `listen`.
 *
 * Every request but the probes runs in a SERVER span continuing the caller's `traceparent` (see
 * `startTracing`; without it the spans are no-ops): method, route, status, GraphQL operation name.
 *
 * @example
 * const server = createServiceServer({ name: 'anagrafe', apollo, context: createRequestContextFactory({...}), logger });
 * const url = await server.listen(config.PORT, '0.0.0.0');
 */
export function createServiceServer<Context extends BaseContext>(
  options: ServiceServerOptions<Context>,
): ServiceServer {
  const { apollo, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const routes = options.routes ?? [];
  let stopping = false;

  async function serveGraphQL(request: ServiceRequest, res: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'POST') {
      send(res, 405, graphqlError('Use GET or POST for GraphQL', 'METHOD_NOT_ALLOWED'), {
        allow: 'GET, POST',
      });
      return;
    }
    let body: unknown;
    if (request.method === 'POST') {
      if (!isJson(request.header('content-type'))) {
        send(
          res,
          415,
          graphqlError('GraphQL requests must be sent as application/json', 'UNSUPPORTED_MEDIA_TYPE'),
        );
        return;
      }
      body = await request.json();
    }
    const operationName = operationNameAttribute(
      request.method === 'POST'
        ? (body as { operationName?: unknown } | null | undefined)?.operationName
        : request.url.searchParams.get('operationName'),
    );
    if (operationName) trace.getActiveSpan()?.setAttribute(SPAN_ATTRIBUTES.operationName, operationName);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: request.url.search, body },
      context: () => options.context(request),
    });
    await writeGraphQLResponse(res, response);
  }

  async function serveHealth(res: ServerResponse): Promise<void> {
    if (stopping) {
      send(res, 503, { status: 'stopping' });
      return;
    }
    if (options.health === undefined) {
      send(res, 200, { status: 'ok' });
      return;
    }
    try {
      await within(HEALTH_TIMEOUT_MS, options.health);
      send(res, 200, { status: 'ok' });
    } catch (error) {
      logger.warn({ err: error, service: options.name }, 'health check failed');
      send(res, 503, { status: 'unavailable' });
    }
  }

  /** `GET /ready`: 200 when every dependency answers, else 503 naming what does not and why. */
  async function serveReady(res: ServerResponse): Promise<void> {
    if (stopping) {
      send(res, 503, { status: 'stopping', service: options.name, checks: {} });
      return;
    }
    const checks = Object.entries(options.readiness ?? {});
    if (checks.length === 0) return serveHealth(res);
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        try {
          await within(READY_TIMEOUT_MS, check);
          return [name, 'ok'] as const;
        } catch (error) {
          const reason = (error instanceof Error ? error.message : String(error)).slice(0, 200);
          return [name, reason] as const;
        }
      }),
    );
    const failing = results.filter(([, outcome]) => outcome !== 'ok');
    if (failing.length > 0) {
      logger.warn({ service: options.name, failing: Object.fromEntries(failing) }, 'not ready');
    }
    send(res, failing.length === 0 ? 200 : 503, {
      status: failing.length === 0 ? 'ready' : 'unavailable',
      service: options.name,
      checks: Object.fromEntries(results),
    });
  }

  async function serveMetrics(res: ServerResponse): Promise<void> {
    if (!options.metrics) {
      send(res, 404, { error: `Not found: ${METRICS_PATH}` });
      return;
    }
    const { contentType, body } = await options.metrics.render();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  }

  async function serveRoute(route: Route, request: ServiceRequest, res: ServerResponse): Promise<void> {
    const answer = await route.handler(request);
    const headers: Record<string, string | readonly string[]> = { ...answer.headers };
    let body: string | Uint8Array | undefined = answer.body;
    if (answer.json !== undefined) {
      body = JSON.stringify(answer.json);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.writeHead(answer.status, headers as Record<string, string | string[]>);
    res.end(request.method === 'HEAD' ? undefined : body);
  }

  /** Refuses a request that does not come from the gateway or a service; true when refused. */
  function refusedAtBoundary(request: ServiceRequest, res: ServerResponse): boolean {
    if (options.internal === undefined) return false;
    try {
      options.internal.verify(request.header(INTERNAL_ASSERTION_HEADER));
      return false;
    } catch (error) {
      if (!(error instanceof InternalAssertionError)) throw error;
      logger.warn(
        {
          service: options.name,
          reason: error.reason,
          path: request.url.pathname,
          requestId: request.requestId,
        },
        'request refused at the trust boundary',
      );
      const graphql = request.url.pathname === GRAPHQL_PATH;
      send(
        res,
        401,
        graphql
          ? {
              errors: [
                { message: error.message, extensions: { code: 'UNAUTHENTICATED', reason: error.reason } },
              ],
            }
          : { error: error.message, reason: error.reason },
      );
      return true;
    }
  }

  async function handle(request: ServiceRequest, res: ServerResponse): Promise<void> {
    const path = request.url.pathname;
    if (path === HEALTH_PATH && request.method === 'GET') return serveHealth(res);
    if (path === READY_PATH && request.method === 'GET') return serveReady(res);
    if (path === METRICS_PATH && request.method === 'GET') return serveMetrics(res);
    if (refusedAtBoundary(request, res)) return;
    if (path === GRAPHQL_PATH) return serveGraphQL(request, res);
    const exact = routes.filter((route) => route.path === path && route.prefix !== true);
    const onPath =
      exact.length > 0 ? exact : routes.filter((route) => route.prefix === true && isUnder(path, route.path));
    // HEAD is GET without the body (RFC 9110): feeds' validators answer both.
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = onPath.find((candidate) => candidate.method === method);
    if (route) return serveRoute(route, request, res);
    if (onPath.length > 0) {
      send(
        res,
        405,
        { error: `Method ${request.method} not allowed` },
        { allow: onPath.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])).join(', ') },
      );
      return;
    }
    send(res, 404, { error: `Not found: ${path}` });
  }

  /** The route a path is served by, for span names; undefined for a path nobody serves. */
  function routeOf(path: string): string | undefined {
    if (path === GRAPHQL_PATH) return path;
    const route =
      routes.find((candidate) => candidate.path === path && candidate.prefix !== true) ??
      routes.find((candidate) => candidate.prefix === true && isUnder(path, candidate.path));
    // A prefix route is named by its prefix: span names and metric labels stay few.
    return route?.path;
  }

  const httpServer = createServer((raw, res) => {
    const started = performance.now();
    const request = createServiceRequest(raw, maxBodyBytes);
    res.setHeader('x-request-id', request.requestId);
    // Probes come every few seconds from every orchestrator and scraper: not worth a trace each.
    const probe = PROBE_PATHS.has(request.url.pathname);
    const span = probe
      ? undefined
      : startServerSpan({
          service: options.name,
          method: request.method,
          route: routeOf(request.url.pathname),
          headers: request.headers,
        });
    let failure: unknown;
    const handled = span ? traceContext.with(span.context, () => handle(request, res)) : handle(request, res);
    handled
      .catch((error: unknown) => {
        if (error instanceof PayloadTooLargeError) {
          const body = graphqlError(error.message, 'PAYLOAD_TOO_LARGE');
          send(res, 413, request.url.pathname === GRAPHQL_PATH ? body : { error: error.message }, {
            connection: 'close',
          });
        } else if (isClientError(error) && request.url.pathname !== GRAPHQL_PATH) {
          // A route refusing bad input (a feed's `?comune=abc`): the client's fault, said as such.
          const { http, ...extensions } = error.extensions as { http?: { status?: number } };
          send(res, http?.status ?? httpStatusOfCode(error.code), {
            error: error.message,
            ...extensions,
          });
        } else if (error instanceof MalformedBodyError) {
          send(
            res,
            400,
            request.url.pathname === GRAPHQL_PATH
              ? graphqlError(error.message, 'BAD_REQUEST')
              : { error: error.message },
          );
        } else {
          failure = error;
          logger.error({ err: error, requestId: request.requestId, service: options.name }, 'request failed');
          send(res, 500, {
            error: `Internal server error. Quote request id ${request.requestId} when reporting it.`,
          });
        }
      })
      .finally(() => {
        span?.end(res.statusCode, failure);
        if (!probe && options.metrics) {
          options.metrics.requestDuration.observe(
            { route: routeOf(request.url.pathname) ?? 'other', status: String(res.statusCode) },
            (performance.now() - started) / 1000,
          );
        }
        logger.debug(
          {
            requestId: request.requestId,
            method: request.method,
            path: request.url.pathname,
            status: res.statusCode,
            ms: Math.round(performance.now() - started),
          },
          'request',
        );
      });
  });

  let started = false;
  return {
    httpServer,
    async listen(port, host = '127.0.0.1') {
      if (!started) {
        await apollo.start();
        started = true;
      }
      const url = await listenOn(httpServer, port, host);
      logger.info({ service: options.name, url }, 'listening');
      return url;
    },
    async close() {
      stopping = true;
      const closed = new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
      });
      httpServer.closeIdleConnections();
      const grace = setTimeout(() => httpServer.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
      await closed;
      clearTimeout(grace);
      if (started) await apollo.stop();
    },
  };
}

/** Whether `path` lies under the prefix `prefix` (which ends in `/`). */
function isUnder(path: string, prefix: string): boolean {
  return path.startsWith(prefix) && path.length > prefix.length;
}
