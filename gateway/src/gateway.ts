import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { type Context, context as traceContext } from '@opentelemetry/api';
import {
  createInternalAssertions,
  createRevocationView,
  operationLimitsRule,
  type EventBus,
  extractTraceContext,
  type ForegroundGate,
  listenOn,
  operationNameAttribute,
  type ServerSpan,
  SPAN_ATTRIBUTES,
  startServerSpan,
  type TokenPrincipal,
} from '@sportello/platform';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, Kind, parse } from 'graphql';
import { type Caller, type GatewayTokenVerifier } from './auth/caller.js';
import { guardRevocations } from './auth/revocation-guard.js';
import {
  type GatewayConfig,
  GatewayConfigError,
  type GatewayConfigInput,
  resolveGatewayConfig,
} from './config.js';
import {
  entityTag,
  ifNoneMatchHolds,
  NO_STORE,
  PRIVATE_NO_STORE,
  publicCacheControl,
} from './http/http-caching.js';
import { createDashboardFiles, DASHBOARD_PATH } from './dashboard/dashboard-files.js';
import { sendJson, sendRefusal } from './http/json-response.js';
import { forward, type ForwardedRoute, forwardedRouteOf } from './http/forwarded-routes.js';
import { isPortalPath, servePortalLink } from './http/portal-links.js';
import { applyCors, type CorsPolicy } from './http/cors.js';
import { BoundedDocumentCache } from './limits/document-cache.js';
import { SharedRateLimits } from './limits/shared-rate-limits.js';
import { admitAddress } from './admission/address-rate-limit.js';
import { authenticate } from './admission/authentication.js';
import { admitClient } from './admission/client-rate-limit.js';
import { createConcurrencyLimit } from './admission/concurrency.js';
import { clientAddress, type TrustedProxies } from './admission/client-address.js';
import { admitOperation, type OperationAdmission } from './admission/operation.js';
import { isRefusal, type Refusal } from './admission/refusal.js';
import { readJsonBody } from './admission/request-body.js';
import { discardRestOfBody } from './http/request-body.js';
import {
  createGatewayMetrics,
  type GatewayMetrics,
  registerConcurrencyMetrics,
  registerForegroundMetrics,
} from './metrics.js';
import { PublicDataGenerations } from './public-data/generations.js';
import { listenForPublicDataChanges } from './public-data/invalidation.js';
import { COMUNE_HEADER, type PublicRequest, publicRequestOf } from './public-data/public-request.js';
import { type CachedResponse, PublicResponseCache } from './public-data/response-cache.js';
import { probeSubgraph, type SubgraphProbe } from './subgraphs/readiness.js';
import { SubgraphDataSource, type SubgraphRequestContext } from './subgraphs/subgraph-data-source.js';
import { attachLiveSubscriptions } from './subscriptions/live-subscriptions.js';
import { type SubscriptionBindings } from './subscriptions/subscription-binding.js';

/** The structured logger the gateway writes to (a pino logger from `createLogger` fits). */
export interface GatewayLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  debug(fields: object, message?: string): void;
}

/** What the gateway is given rather than creates. */
export interface GatewayDeps {
  verifier: GatewayTokenVerifier;
  logger: GatewayLogger;
  /**
   * Feeds live subscriptions, and tells the public response cache when a comune's public data
   * changed; without it the gateway serves queries and mutations only, and cached public answers
   * live until their maximum age.
   */
  bus?: EventBus;
  /** How each `Subscription` field of the supergraph is fed from the bus. */
  subscriptions?: SubscriptionBindings;
  /**
   * GraphQL requests and subscribers' updates are this gate's foreground work: when the gateway
   * shares its event loop with background work (the embedded hub), that work waits for them.
   */
  foreground?: ForegroundGate;
  /** The clock public answers age by. @default Date.now */
  now?: () => number;
}

/** A running (or ready to listen) gateway. */
export interface GatewayHandle {
  /**
   * Starts listening; resolves to the GraphQL endpoint URL.
   * @param port - 0 picks a free port.
   * @param host - @default '127.0.0.1'
   */
  listen(port: number, host?: string): Promise<string>;
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. @throws {Error} before `listen`. */
  readonly url: string;
  /** The HTTP server, for hosting more routes or protocol upgrades on the same port. */
  readonly httpServer: Server;
  readonly metrics: GatewayMetrics;
  /** Stops accepting requests, closes open connections and stops Apollo. */
  close(): Promise<void>;
}

/** Per-request context: what subgraph fetches need, plus what the access log reports. */
interface GatewayContext extends SubgraphRequestContext {
  caller: Caller;
  report: RequestReport;
}

interface RequestReport {
  operationName?: string;
  /** `query`, `mutation` or `subscription`, once Apollo resolved the operation. */
  operationKind?: string;
  errorCodes: string[];
  /** How the public response cache answered, for anonymous requests it could answer. */
  cache?: 'hit' | 'miss';
}

/** Codes whose message is meant for the client and passes through unchanged. */
const INTERNAL_CODES = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

/**
 * Names of the subgraphs a supergraph joins (`@join__graph(name:)`), to check that every one has a
 * configured URL before the first request finds out.
 */
function supergraphSubgraphNames(supergraphSdl: string): string[] {
  const names: string[] = [];
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const name = directive?.arguments?.find((a) => a.name.value === 'name')?.value;
      if (name?.kind === Kind.STRING) names.push(name.value);
    }
  }
  return names;
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Creates the gateway: Apollo Gateway on Apollo Server 5, served by `node:http` on `/graphql`,
 * with `/health`, `/ready` and `/metrics` beside it.
 *
 * Before anything is planned, each request goes through: per-IP rate limit, body size, token
 * verification, per-client rate limit, trusted documents and a token count; then Apollo validates
 * depth, aliases and cost. Subgraphs get the caller's Authorization header and trace context.
 *
 * @throws {GatewayConfigError} when the configuration is invalid or a subgraph of the supergraph
 * has no URL.
 */
export async function createGateway(
  configInput: GatewayConfigInput,
  deps: GatewayDeps,
): Promise<GatewayHandle> {
  const config: GatewayConfig = resolveGatewayConfig(configInput);
  const { logger } = deps;
  // Services answer only calls carrying the deployment's internal assertion.
  const internal =
    config.internalSecret === undefined
      ? undefined
      : createInternalAssertions({ secret: config.internalSecret, caller: 'gateway' });
  const internalHeaders = () => internal?.headers() ?? {};
  /** Who may tell the client's address (`X-Forwarded-For`): the proxies the operator named. */
  const trustedProxies: TrustedProxies =
    config.trustedProxies.length > 0
      ? { addresses: new Set(config.trustedProxies) }
      : { hops: config.trustProxy ? 1 : 0 };
  /** Each service's base URL, where its HTTP routes are forwarded. */
  const serviceUrls = Object.fromEntries(
    Object.entries(config.subgraphUrls).map(([name, url]) => [name, url.replace(/\/graphql$/, '')]),
  );
  // Revoked apps, delegations and staff are refused here at once, as in every service.
  const revocations = createRevocationView({
    ...(deps.bus ? { bus: deps.bus } : {}),
    ...(config.revocations.listUrl === undefined ? {} : { list: new URL(config.revocations.listUrl) }),
    refreshMs: config.revocations.refreshMs,
    headers: internalHeaders,
    logger,
  });
  const verifier = guardRevocations(deps.verifier, revocations);
  const missing = supergraphSubgraphNames(config.supergraphSdl).filter((name) => !config.subgraphUrls[name]);
  if (missing.length > 0) {
    throw new GatewayConfigError(`No URL configured for subgraph(s) ${missing.join(', ')} of the supergraph`);
  }
  const production = config.mode === 'production';
  const metrics = createGatewayMetrics();
  if (deps.foreground) registerForegroundMetrics(metrics, deps.foreground);
  const publicData = config.publicData;
  const now = deps.now ?? Date.now;
  const generations = new PublicDataGenerations();
  const responseCache = publicData.responseCache
    ? new PublicResponseCache({
        maxBytes: publicData.maxBytes,
        maxAgeMs: publicData.maxAgeSeconds * 1000,
        generations,
        onSize: (bytes) => metrics.responseCacheBytes.set(bytes),
        now,
      })
    : undefined;
  // Kept by every replica together: each reports what it let through on the bus.
  const rateLimits = new SharedRateLimits({
    maxTrackedKeys: config.rateLimits.maxTrackedKeys,
    syncIntervalMs: config.rateLimits.syncIntervalMs,
    logger,
    onPeerUsage: (kind, requests) => metrics.rateLimitPeerUsage.inc({ kind }, requests),
    ...(deps.bus ? { bus: deps.bus } : {}),
  });

  const operationAdmission: OperationAdmission = {
    rateLimits,
    trustedDocuments: config.trustedDocuments,
    maxTokens: config.limits.maxTokens,
  };

  let apiSchema: GraphQLSchema | undefined;
  // The committed supergraph has no URLs (they are deployment settings): fill in the configured ones.
  const supergraphSdl = config.supergraphSdl.replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (_match, name: string) =>
      `@join__graph(name: ${JSON.stringify(name)}, url: ${JSON.stringify(config.subgraphUrls[name] ?? '')})`,
  );
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const url = config.subgraphUrls[name];
      if (!url) throw new GatewayConfigError(`No URL configured for subgraph ${name}`);
      return new SubgraphDataSource(
        name,
        url,
        config.limits.subgraphTimeoutMs,
        metrics,
        internalHeaders,
        publicData.dedupe ? { generations } : undefined,
      );
    },
    logger: apolloLogger(logger),
    // Its gateway.request/plan/execute/fetch spans nest under the request's SERVER span; documents
    // and error messages stay out of them (they may quote personal data).
    telemetry: { includeDocument: false, recordExceptions: false },
  });

  const concurrency = createConcurrencyLimit({
    maxConcurrent: config.limits.maxConcurrentOperations,
    maxQueued: config.limits.maxQueuedOperations,
    maxWaitMs: config.limits.maxQueueWaitMs,
  });
  registerConcurrencyMetrics(metrics, concurrency.stats);
  const accessPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let release: (() => void) | undefined;
      let refused: Refusal | undefined;
      return {
        async didResolveOperation({ operationName, operation, contextValue }) {
          if (operationName) contextValue.report.operationName = operationName;
          if (operation) contextValue.report.operationKind = operation.operation;
          // A caller's query or mutation, over HTTP or a socket, waits for its turn; an update on its
          // way to subscribers is not a caller's operation and never waits.
          const kind = operation?.operation;
          if ((kind === 'query' || kind === 'mutation') && contextValue.batchEntityFetches !== true) {
            const turn = await concurrency.acquire(
              contextValue.caller.principal?.kind === 'staff' ? 'staff' : kind,
            );
            if (isRefusal(turn)) {
              metrics.rejections.inc({ reason: turn.reason });
              refused = turn;
              throw new GraphQLError(turn.error.message, { extensions: turn.error.extensions });
            }
            release = turn;
          }
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = (error.extensions as Record<string, unknown> | undefined)?.['code'];
            contextValue.report.errorCodes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
        },
        async willSendResponse({ response }) {
          release?.();
          if (refused) {
            // Over HTTP, the refusal's status and Retry-After; over a socket, the error alone.
            response.http.status = refused.status;
            for (const [name, value] of Object.entries(refused.headers ?? {})) {
              response.http.headers.set(name, value);
            }
            return;
          }
          // No data at all because the caller did not sign in: 401 with a challenge, as for a bad
          // token (GraphQL over HTTP allows a 4xx when `data` is null). Partial data stays 200.
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data !== null && data !== undefined) return;
          if (!errors?.length || !errors.every((error) => error.extensions?.['code'] === 'UNAUTHENTICATED'))
            return;
          response.http.status = 401;
          response.http.headers.set('www-authenticate', 'Bearer');
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection ?? !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [operationLimitsRule(config.limits)],
    persistedQueries:
      config.apqCacheBytes === false ? false : { cache: new BoundedDocumentCache(config.apqCacheBytes) },
    logger: apolloLogger(logger),
    plugins: [accessPlugin],
    formatError: (formatted, error) => maskError(formatted, error, logger),
  });
  gateway.onSchemaLoadOrUpdate((loaded) => {
    apiSchema = loaded.apiSchema;
  });
  await apollo.start();
  await revocations.start();
  await rateLimits.start();
  const publicDataChanges = deps.bus
    ? await listenForPublicDataChanges(deps.bus, (event) => {
        // Generations first: a response computed before the change must not be stored after it.
        generations.changed(event.comune);
        responseCache?.invalidate(event.comune);
        metrics.responseCacheInvalidations.inc({ type: event.type });
      })
    : undefined;

  /**
   * Sends a public answer: shareable by CDNs for the configured bound, with a validator, and `304`
   * to a GET whose `If-None-Match` still holds. `Vary` keeps comuni apart in shared caches.
   */
  function sendPublic(req: IncomingMessage, res: ServerResponse, response: CachedResponse): void {
    const ageSeconds = Math.max(0, Math.floor((now() - response.storedAt) / 1000));
    const headers = {
      'cache-control': publicCacheControl(publicData.maxAgeSeconds),
      etag: response.etag,
      vary: `accept, ${COMUNE_HEADER}, origin`,
      ...(ageSeconds > 0 ? { age: String(ageSeconds) } : {}),
    };
    if (req.method === 'GET' && ifNoneMatchHolds(single(req.headers['if-none-match']), response.etag)) {
      metrics.notModified.inc();
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, {
      ...headers,
      'content-type': response.contentType,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(response.body);
  }

  async function ready(): Promise<{ ready: boolean; subgraphs: SubgraphProbe[] }> {
    const probes = await Promise.all(
      Object.entries(config.subgraphUrls).map(([name, url]) =>
        probeSubgraph(name, url, 2_000, internalHeaders()),
      ),
    );
    return { ready: probes.every((probe) => probe.ready), subgraphs: probes };
  }

  async function serveGraphql(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    report: RequestReport & { clientId?: string },
    incomingTrace: Context,
  ): Promise<void> {
    const ip = clientAddress(req, trustedProxies);
    const refuse = (refusal: Refusal) => {
      metrics.rejections.inc({ reason: refusal.reason });
      report.errorCodes.push(refusal.error.extensions.code);
      if (refusal.status === 413) discardRestOfBody(req, res);
      return sendRefusal(res, refusal.status, refusal.error, refusal.headers);
    };
    const addressRefusal = admitAddress(rateLimits, ip, config.rateLimits.ipPerMinute);
    if (addressRefusal) return refuse(addressRefusal);

    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, config.limits.maxBodyBytes);
      if (isRefusal(read)) return refuse(read);
      body = read.body;
    }

    const caller = await authenticate(
      single(req.headers.authorization),
      ip,
      verifier,
      config.rateLimits.clientPerMinute,
      logger,
    );
    if (isRefusal(caller)) return refuse(caller);
    if (caller.clientId) report.clientId = caller.clientId;

    // The document as sent: POST body fields, or GET search parameters.
    const fields = requestFields(body, url);
    if (typeof fields.operationName === 'string') report.operationName = fields.operationName;
    const admitted = admitOperation(
      caller,
      {
        ...fields,
        ...(single(req.headers[COMUNE_HEADER]) ? { comune: single(req.headers[COMUNE_HEADER])! } : {}),
      },
      operationAdmission,
    );
    if (isRefusal(admitted)) return refuse(admitted);
    let search = url.search;
    if (admitted.resolved && admitted.query !== undefined) {
      if (req.method === 'POST' && body && typeof body === 'object') {
        const { extensions, ...rest } = body as Record<string, unknown>;
        const { persistedQuery: _ignored, ...otherExtensions } = (extensions ?? {}) as Record<
          string,
          unknown
        >;
        body = { ...rest, query: admitted.query, extensions: otherExtensions };
      } else {
        const params = new URLSearchParams(url.search);
        params.set('query', admitted.query);
        params.delete('extensions');
        search = `?${params.toString()}`;
      }
    }

    // Anonymous callers all get the same answer to the same question: share it.
    const publicRequest: PublicRequest | undefined = caller.principal
      ? undefined
      : publicRequestOf(req, admitted.resolved ? { ...fields, query: admitted.query } : fields);
    if (publicRequest && responseCache) {
      const cached = responseCache.get(publicRequest.comune, publicRequest.key);
      report.cache = cached ? 'hit' : 'miss';
      metrics.responseCacheLookups.inc({ outcome: report.cache });
      if (cached) return sendPublic(req, res, cached);
    }
    const generation = publicRequest ? generations.current(publicRequest.comune) : 0;
    const executedAt = now();

    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: req.method ?? 'GET',
      headers: headerMapOf(req),
      search,
      body,
    };
    const comune = single(req.headers[COMUNE_HEADER])?.trim();
    const context: GatewayContext = {
      caller,
      report,
      ...(caller.principal && req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(comune ? { comune } : {}),
      incomingTrace,
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), config.limits.requestTimeoutMs);
    });
    const result = await Promise.race([
      apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context }),
      timeout,
    ]);
    clearTimeout(timer);
    if (result === 'timeout') {
      metrics.rejections.inc({ reason: 'timeout' });
      return sendRefusal(res, 504, {
        message: `The request took longer than ${config.limits.requestTimeoutMs} ms (requestTimeoutMs) and was abandoned`,
        extensions: { code: 'REQUEST_TIMEOUT' },
      });
    }
    const status = result.status ?? 200;
    if (
      publicRequest &&
      status === 200 &&
      report.operationKind === 'query' &&
      report.errorCodes.length === 0 &&
      result.body.kind === 'complete'
    ) {
      const response: CachedResponse = {
        body: result.body.string,
        contentType: result.headers.get('content-type') ?? 'application/json; charset=utf-8',
        etag: entityTag(result.body.string),
        storedAt: executedAt,
      };
      responseCache?.set(publicRequest.comune, publicRequest.key, generation, response);
      return sendPublic(req, res, response);
    }
    for (const [name, value] of result.headers) res.setHeader(name, value);
    // Whatever was built with a token is the caller's alone; anonymous mutations and errors are not
    // worth keeping anywhere.
    res.setHeader('cache-control', caller.principal ? PRIVATE_NO_STORE : NO_STORE);
    res.statusCode = status;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  /**
   * A route of a service, on the public origin: the same address rate limit, bearer-token check
   * (with revocations) and per-client rate limit as GraphQL, then the request goes on to the service
   * with the internal assertion. Other authorization schemes (an app's client secret in `Basic` at
   * the token endpoint) go on untouched: the service checks them.
   */
  async function serveForwarded(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ForwardedRoute,
    report: RequestReport & { clientId?: string },
  ): Promise<void> {
    const ip = clientAddress(req, trustedProxies);
    // The same steps as GraphQL, answered as the route's own errors are (JSON, no GraphQL envelope).
    const refuse = (refusal: Refusal) => {
      metrics.rejections.inc({ reason: refusal.reason });
      const { code: _code, ...details } = refusal.error.extensions;
      return sendJson(res, refusal.status, { error: refusal.error.message, ...details }, refusal.headers);
    };
    const addressRefusal = admitAddress(rateLimits, ip, config.rateLimits.ipPerMinute);
    if (addressRefusal) return refuse(addressRefusal);
    const authorization = single(req.headers.authorization);
    if (authorization !== undefined && /^bearer\s/i.test(authorization.trim())) {
      const caller = await authenticate(
        authorization,
        ip,
        verifier,
        config.rateLimits.clientPerMinute,
        logger,
      );
      if (isRefusal(caller)) return refuse(caller);
      if (caller.clientId) report.clientId = caller.clientId;
      const limited = admitClient(rateLimits, caller);
      if (limited) return refuse(limited);
    }
    await forward(req, res, route, url, {
      serviceUrls,
      internalHeaders,
      clientIp: ip,
      publicUrl: config.publicUrl,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxUploadBytes: config.limits.maxUploadBytes,
      timeoutMs: config.limits.subgraphTimeoutMs,
    });
  }

  /**
   * A GraphQL request runs in a SERVER span continuing the caller's `traceparent`: Apollo's
   * `gateway.*` spans and each subgraph fetch nest under it. Other routes are not traced.
   */
  function serveTraced(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== '/graphql') return handle(req, res, url);
    const endForeground = deps.foreground?.begin();
    if (endForeground) res.once('close', endForeground);
    const server = startServerSpan({
      service: 'gateway',
      method: req.method ?? 'GET',
      route: '/graphql',
      headers: req.headers,
    });
    res.once('close', () => server.end(res.statusCode));
    return traceContext.with(server.context, () => handle(req, res, url, server));
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    server?: ServerSpan,
  ): Promise<void> {
    const span = server?.span;
    const started = performance.now();
    const forwardedRoute = forwardedRouteOf(url.pathname);
    const route =
      url.pathname === '/graphql'
        ? 'graphql'
        : url.pathname === '/health'
          ? 'health'
          : url.pathname === '/ready'
            ? 'ready'
            : url.pathname === '/metrics'
              ? 'metrics'
              : dashboard &&
                  (url.pathname === DASHBOARD_PATH || url.pathname.startsWith(`${DASHBOARD_PATH}/`))
                ? 'dashboard'
                : forwardedRoute
                  ? 'forwarded'
                  : isPortalPath(url.pathname)
                    ? 'portal'
                    : 'not_found';
    const report: RequestReport & { clientId?: string } = { errorCodes: [] };
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      metrics.requests.inc({ route, status: String(res.statusCode) });
      metrics.requestDuration.observe({ route }, seconds);
      if (route === 'graphql') {
        const operationName = operationNameAttribute(report.operationName);
        span?.setAttributes({
          ...(operationName ? { [SPAN_ATTRIBUTES.operationName]: operationName } : {}),
          ...(report.operationKind ? { [SPAN_ATTRIBUTES.operationType]: report.operationKind } : {}),
          ...(report.errorCodes.length > 0 ? { [SPAN_ATTRIBUTES.errorCodes]: report.errorCodes } : {}),
          ...(report.cache ? { [SPAN_ATTRIBUTES.cache]: report.cache } : {}),
        });
        logger.info(
          {
            method: req.method,
            status: res.statusCode,
            durationMs: Math.round(seconds * 1000),
            operationName: report.operationName ?? null,
            clientId: report.clientId ?? null,
            errorCodes: report.errorCodes,
            ...(report.cache ? { cache: report.cache } : {}),
          },
          'graphql request',
        );
      }
    });
    try {
      // Browser apps: the API, the OpenID endpoints and the feeds, from the configured origins.
      if ((route === 'graphql' || route === 'forwarded') && applyCors(req, res, corsPolicy)) return;
      switch (route) {
        case 'graphql':
          return await serveGraphql(
            req,
            res,
            url,
            report,
            server?.parent ?? extractTraceContext(req.headers),
          );
        case 'health':
          return sendJson(res, 200, { status: 'ok' });
        case 'ready': {
          const state = await ready();
          return sendJson(res, state.ready ? 200 : 503, state);
        }
        case 'metrics': {
          const text = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          return void res.end(text);
        }
        case 'dashboard':
          return await dashboard!.serve(req, res, url);
        case 'forwarded':
          return await serveForwarded(req, res, url, forwardedRoute!, report);
        case 'portal':
          return servePortalLink(res, url, config.portal);
        default:
          return sendJson(res, 404, { error: `No route ${url.pathname}` });
      }
    } catch (error) {
      logger.error({ err: error, route }, 'request failed');
      if (!res.headersSent)
        sendRefusal(res, 500, {
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        });
      else res.destroy();
    }
  }

  const dashboard = config.dashboard ? createDashboardFiles(config.dashboard) : undefined;
  // The public origin itself (the dashboard) always; others as configured, any in a demo.
  const corsOrigins = config.cors.origins ?? (production ? [] : '*');
  const corsPolicy: CorsPolicy = {
    origins:
      corsOrigins === '*'
        ? '*'
        : [new URL(config.publicUrl).origin, ...corsOrigins.map((origin) => new URL(origin).origin)],
  };
  const httpServer = createServer((req, res) => void serveTraced(req, res));
  httpServer.keepAliveTimeout = 5_000;
  const live = attachLiveSubscriptions({
    httpServer,
    apollo,
    schema: () => {
      if (!apiSchema) throw new Error('The gateway has not loaded its schema yet');
      return apiSchema;
    },
    bindings: deps.subscriptions ?? {},
    ...(deps.bus ? { bus: deps.bus } : {}),
    verifier,
    metrics,
    logger,
    validationRules: [operationLimitsRule(config.limits)],
    defaultClientPerMinute: config.rateLimits.clientPerMinute,
    queueSize: config.subscriptionQueueSize,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxPayloadBytes: config.limits.maxBodyBytes,
    ...(deps.foreground ? { foreground: deps.foreground } : {}),
    revoked: (caller) =>
      caller.principal === undefined || caller.principal.kind === 'anonymous'
        ? undefined
        : revocations.revocationOf(caller.principal as TokenPrincipal, caller.issuedAt ?? 0)?.reason,
    clientAddress: (req) => clientAddress(req, trustedProxies),
    admitAddress(address) {
      const refusal = admitAddress(rateLimits, address, config.rateLimits.ipPerMinute);
      if (refusal) metrics.rejections.inc({ reason: refusal.reason });
      return refusal;
    },
    admitOperation(caller, fields) {
      const admitted = admitOperation(caller, fields, operationAdmission);
      if (isRefusal(admitted)) metrics.rejections.inc({ reason: admitted.reason });
      return admitted;
    },
    requestTimeoutMs: config.limits.requestTimeoutMs,
  });
  let listeningUrl: string | undefined;

  return {
    async listen(port, host = '127.0.0.1') {
      listeningUrl = `${await listenOn(httpServer, port, host)}/graphql`;
      logger.info({ url: listeningUrl, subgraphs: Object.keys(config.subgraphUrls) }, 'gateway listening');
      return listeningUrl;
    },
    get url() {
      if (!listeningUrl) throw new Error('The gateway is not listening yet: call listen() first');
      return listeningUrl;
    },
    httpServer,
    metrics,
    async close() {
      await revocations.close();
      await rateLimits.close();
      await publicDataChanges?.stop();
      await live.close();
      await new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await apollo.stop();
    },
  };

  function maskError(
    formatted: GraphQLFormattedError,
    error: unknown,
    log: GatewayLogger,
  ): GraphQLFormattedError {
    // Apollo's own refusals of a request (an APQ hash that does not match its document...) carry a
    // 4xx status and no code: the client's to fix, said as a BAD_REQUEST with Apollo's message.
    const httpStatus = (error as { extensions?: { http?: { status?: unknown } } } | undefined)?.extensions
      ?.http?.status;
    const clientRequest =
      formatted.extensions?.['code'] === 'INTERNAL_SERVER_ERROR' &&
      typeof httpStatus === 'number' &&
      httpStatus >= 400 &&
      httpStatus < 500;
    const code = clientRequest
      ? 'BAD_REQUEST'
      : typeof formatted.extensions?.['code'] === 'string'
        ? formatted.extensions['code']
        : 'INTERNAL_SERVER_ERROR';
    metrics.errors.inc({ code });
    const serviceName = formatted.extensions?.['serviceName'];
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    if (!INTERNAL_CODES.has(code)) return { ...formatted, extensions: { ...extensions, code } };
    log.warn({ code, serviceName, err: error }, 'internal error masked');
    return {
      message:
        typeof serviceName === 'string'
          ? `Subgraph "${serviceName}" could not answer`
          : 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code, ...(typeof serviceName === 'string' ? { serviceName } : {}) },
    };
  }
}

/** The document fields of a request, from a POST JSON body or GET search parameters. */
function requestFields(
  body: unknown,
  url: URL,
): { query?: string; persistedHash?: string; operationName?: string; variables?: unknown } {
  let query: unknown;
  let extensions: unknown;
  let operationName: unknown;
  let variables: unknown;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    ({ query, extensions, operationName, variables } = body as Record<string, unknown>);
  } else if (body === undefined) {
    query = url.searchParams.get('query') ?? undefined;
    operationName = url.searchParams.get('operationName') ?? undefined;
    variables = url.searchParams.get('variables') ?? undefined;
    const raw = url.searchParams.get('extensions');
    try {
      extensions = raw ? JSON.parse(raw) : undefined;
    } catch {
      extensions = undefined;
    }
  }
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
    ?.sha256Hash;
  return {
    ...(typeof query === 'string' ? { query } : {}),
    ...(typeof persisted === 'string' ? { persistedHash: persisted } : {}),
    ...(typeof operationName === 'string' ? { operationName } : {}),
    ...(variables === undefined ? {} : { variables }),
  };
}

/** Apollo logs plain strings; route them to the structured logger. */
function apolloLogger(logger: GatewayLogger) {
  return {
    debug: (message: string) => logger.debug({ source: 'apollo' }, message),
    info: (message: string) => logger.info({ source: 'apollo' }, message),
    warn: (message: string) => logger.warn({ source: 'apollo' }, message),
    error: (message: string) => logger.error({ source: 'apollo' }, message),
  };
}
